package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tdkt/domain"
	"tdkt/store"
)

// Campaigns of the yearly plan (đợt xét khen thưởng, issue 14).
//
// The campaign list replaces free-text campaigns, but the API has always
// taken any campaign code (API.md: "campaign" is an optional code), and
// clients and dossiers out there carry codes no table holds. So:
//
//   - a submission whose campaign code is in the table is always checked:
//     the campaign must be open on the submission day (Vietnam) and cover
//     the award, or the submission is 422 naming "campaign" (or
//     "award_code"), and nothing is created;
//   - a code not in the table is refused (422, "campaign") only when the
//     campaigns are enforced (TDKT_CAMPAIGNS=enforce, the default of
//     `tdkt dev`, which seeds the year's plan); otherwise it is taken as
//     before, a free code. A province switches to enforce once its plan is
//     entered; the tests and the bench, which tag their dossiers with codes
//     of their own, run without it;
//   - dossiers already submitted keep their code: nothing is migrated.

// campaignStore is what the campaign and report use cases need of the
// read model; *store.Store has it.
type campaignStore interface {
	CreateCampaign(ctx context.Context, c domain.Campaign, by string) error
	Campaign(ctx context.Context, code string) (domain.Campaign, error)
	Campaigns(ctx context.Context, f store.CampaignFilter) ([]domain.Campaign, error)
	ReleaseSubmission(ctx context.Context, unit, idempotencyKey, id string) error
	SubmissionKeyUsed(ctx context.Context, unit, idempotencyKey string) (bool, error)
	CampaignStages(ctx context.Context, codes []string) (map[string]map[string]int64, error)
	ReportGroups(ctx context.Context, f store.ReportFilter, stages []domain.Stage) ([]store.ReportCounts, error)
	ReportStageDays(ctx context.Context, f store.ReportFilter) ([]store.StageDays, error)
}

var _ campaignStore = (*store.Store)(nil)

var errNoCampaigns = errors.New("this read model holds no campaigns")

func (s *Service) campaignStore() (campaignStore, error) {
	if c, ok := s.store.(campaignStore); ok {
		return c, nil
	}
	return nil, errNoCampaigns
}

// EnforcesCampaigns reports whether a campaign code must be in the plan.
func (s *Service) EnforcesCampaigns() bool { return s.enforceCampaigns }

// Today is the service clock's day in Vietnam, YYYY-MM-DD.
func (s *Service) Today() string { return s.now().In(domain.Local).Format(time.DateOnly) }

// Year is the service clock's year in Vietnam.
func (s *Service) Year() int { return s.now().In(domain.Local).Year() }

// CreateCampaign adds a campaign to the plan (officer). Its code is its
// key: a second campaign with the same code is 409.
func (s *Service) CreateCampaign(ctx context.Context, a domain.Actor, c domain.Campaign) (domain.Campaign, error) {
	out, err := s.createCampaign(ctx, a, c)
	return out, labelled(err, map[string]string{"code": "Mã đợt", "name": "Tên đợt"})
}

func (s *Service) createCampaign(ctx context.Context, a domain.Actor, c domain.Campaign) (domain.Campaign, error) {
	if !a.Has(domain.RoleOfficer) {
		return domain.Campaign{}, refusal(domain.ErrForbidden, "only an officer creates a campaign")
	}
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	c.Opens, c.Closes = strings.TrimSpace(c.Opens), strings.TrimSpace(c.Closes)
	if e := CheckText("name", c.Name, MaxName); e != nil {
		return domain.Campaign{}, invalid(*e)
	}
	if err := domain.ValidateCampaign(c); err != nil {
		return domain.Campaign{}, fromDomain(err, "")
	}
	cs, err := s.campaignStore()
	if err != nil {
		return domain.Campaign{}, failure("create campaign", err)
	}
	err = cs.CreateCampaign(ctx, c, a.ID)
	if errors.Is(err, store.ErrExists) {
		return domain.Campaign{}, &Error{Kind: domain.ErrConflict, Detail: "campaign " + c.Code + " already exists",
			VI: "Đã có đợt thi đua mã " + c.Code + "; hãy chọn mã khác."}
	}
	if err != nil {
		return domain.Campaign{}, failure("create campaign", err)
	}
	return cs.Campaign(ctx, c.Code)
}

// Campaign is one campaign of the plan (any signed-in role).
func (s *Service) Campaign(ctx context.Context, a domain.Actor, code string) (domain.Campaign, error) {
	if !domain.ValidCampaignCode(code) {
		return domain.Campaign{}, &Error{Kind: domain.ErrNotFound, Detail: "no such campaign", VI: "Không có đợt thi đua này."}
	}
	cs, err := s.campaignStore()
	if err != nil {
		return domain.Campaign{}, failure("read campaign", err)
	}
	c, err := cs.Campaign(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return domain.Campaign{}, &Error{Kind: domain.ErrNotFound, Detail: "no such campaign", VI: "Không có đợt thi đua này."}
	}
	if err != nil {
		return domain.Campaign{}, storeError("read campaign", err)
	}
	return c, nil
}

// CampaignFilter is a validated query of the campaign list.
type CampaignFilter = store.CampaignFilter

// ParseCampaignQuery validates the campaign list's query: year, kind,
// open_on (a day: the campaigns taking submissions then).
func ParseCampaignQuery(q url.Values) (CampaignFilter, []domain.FieldError) {
	var f CampaignFilter
	var fe []domain.FieldError
	if e := queryYear(q, &f.Year); e != nil {
		fe = append(fe, *e)
	}
	if v := strings.TrimSpace(q.Get("kind")); v != "" {
		if !domain.CampaignKind(v).Valid() {
			fe = append(fe, domain.FieldError{Field: "kind", Message: "must be one of annual, school_year, thematic"})
		}
		f.Kind = v
	}
	if v := strings.TrimSpace(q.Get("open_on")); v != "" {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			fe = append(fe, domain.FieldError{Field: "open_on", Message: "must be a date YYYY-MM-DD"})
		} else {
			f.OpenOn = v
		}
	}
	return f, fe
}

// Campaigns lists the plan's campaigns (any signed-in role), newest year
// first, then by opening day.
func (s *Service) Campaigns(ctx context.Context, a domain.Actor, f CampaignFilter) ([]domain.Campaign, error) {
	cs, err := s.campaignStore()
	if err != nil {
		return nil, failure("list campaigns", err)
	}
	out, err := cs.Campaigns(ctx, f)
	if err != nil {
		return nil, storeError("list campaigns", err)
	}
	if out == nil {
		out = []domain.Campaign{}
	}
	return out, nil
}

// OpenCampaigns are the campaigns open for submissions today.
func (s *Service) OpenCampaigns(ctx context.Context, a domain.Actor) ([]domain.Campaign, error) {
	return s.Campaigns(ctx, a, CampaignFilter{OpenOn: s.Today()})
}

// dayVN writes a YYYY-MM-DD day the Vietnamese way, dd/mm/yyyy.
func dayVN(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

// checkCampaign is the plan's say on a submission made now (see the rule
// at the top of this file).
func (s *Service) checkCampaign(ctx context.Context, sub domain.Submission) error {
	if sub.Campaign == "" {
		return nil
	}
	cs, err := s.campaignStore()
	if err != nil {
		if s.enforceCampaigns {
			return failure("read campaign", err)
		}
		return nil
	}
	c, err := cs.Campaign(ctx, sub.Campaign)
	if errors.Is(err, store.ErrNotFound) {
		if s.enforceCampaigns {
			return invalid(domain.FieldError{Field: "campaign", Message: "is not in the plan: no such campaign " + sub.Campaign})
		}
		return nil
	}
	if err != nil {
		return storeError("read campaign", err)
	}
	if e := domain.CheckCampaignSubmission(c, sub, s.now()); e != nil {
		out := fromDomain(e, domain.ActSubmit)
		if !c.OpenOn(s.now()) {
			out.VI = fmt.Sprintf("Đợt thi đua «%s» chỉ nhận hồ sơ từ ngày %s đến hết ngày %s; hôm nay (%s) không nằm trong thời hạn này.",
				c.Name, dayVN(c.Opens), dayVN(c.Closes), dayVN(s.Today()))
		} else {
			out.VI = fmt.Sprintf("Đợt thi đua «%s» không nhận hình thức khen thưởng đã chọn.", c.Name)
		}
		return out
	}
	return nil
}

// queryYear reads q's "year", a year of the plan, into y; y is left alone
// when q has none.
func queryYear(q url.Values, y *int) *domain.FieldError {
	v := strings.TrimSpace(q.Get("year"))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	*y = n
	if err != nil {
		return &domain.FieldError{Field: "year", Message: "must be a year from 2000 to 2100"}
	}
	return domain.YearError(n)
}
