package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"tdkt/domain"
	"tdkt/store"
)

// Emulation registration (đăng ký thi đua, issue 14): at the start of the
// year a unit registers the titles its collectives and people aim for, by
// the plan's deadline: the one the officer set for the year
// (registration_deadlines), else the last day of February
// (domain.DefaultRegistrationDeadline). A unit registers and reads its own
// unit's; the officer, the chairman and the administrator read them all.
// A title dossier without a registration for its year shows it as a
// finding (RegistrationFinding).

// registrationStore is what the registration and reminder use cases need
// of the read model; *store.Store has it.
type registrationStore interface {
	CreateRegistration(ctx context.Context, r domain.Registration) (domain.Registration, error)
	Registrations(ctx context.Context, f store.RegistrationFilter) ([]domain.Registration, error)
	FindRegistration(ctx context.Context, year int, nomineeKey, award string) (domain.Registration, error)
	RegistrationDeadline(ctx context.Context, year int) (string, error)
	SetRegistrationDeadline(ctx context.Context, year int, closes, by string) error
	SentReminders(ctx context.Context, limit int) ([]store.SentReminder, error)
}

var _ registrationStore = (*store.Store)(nil)

var errNoRegistrations = errors.New("this read model holds no registrations")

func (s *Service) registrationStore() (registrationStore, error) {
	if r, ok := s.store.(registrationStore); ok {
		return r, nil
	}
	return nil, errNoRegistrations
}

// MayReadRegistrations reports whether a reads registrations: a unit its
// own, the officer, the chairman and the administrator all.
func MayReadRegistrations(a domain.Actor) bool {
	return a.Has(domain.RoleUnit) || a.Has(domain.RoleOfficer) || a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin)
}

// RegistrationFilter is a validated query of the registration list.
type RegistrationFilter = store.RegistrationFilter

// ParseRegistrationQuery validates the list's query: year, unit, award.
func ParseRegistrationQuery(q url.Values) (RegistrationFilter, []domain.FieldError) {
	var f RegistrationFilter
	var fe []domain.FieldError
	if e := queryYear(q, &f.Year); e != nil {
		fe = append(fe, *e)
	}
	if v := strings.TrimSpace(q.Get("unit")); v != "" {
		if !domain.ValidUnitCode(v) {
			fe = append(fe, domain.FieldError{Field: "unit", Message: "must be a unit code"})
		}
		f.Unit = v
	}
	if v := strings.TrimSpace(q.Get("award")); v != "" {
		if _, ok := domain.TitleAward(v); !ok {
			fe = append(fe, domain.FieldError{Field: "award", Message: "must be an emulation title's code"})
		}
		f.Award = v
	}
	return f, fe
}

// Registrations lists registrations: a unit's own only (whatever unit the
// query names), everyone's for the officer, the chairman, the admin.
func (s *Service) Registrations(ctx context.Context, a domain.Actor, f RegistrationFilter) ([]domain.Registration, error) {
	if !MayReadRegistrations(a) {
		return nil, refusal(domain.ErrForbidden, "only a unit (its own), an officer, the chairman or an administrator reads registrations")
	}
	if UnitScoped(a) {
		if f.Unit != "" && f.Unit != a.Unit {
			return []domain.Registration{}, nil
		}
		f.Unit = a.Unit
	}
	rs, err := s.registrationStore()
	if err != nil {
		return nil, failure("list registrations", err)
	}
	out, err := rs.Registrations(ctx, f)
	if err != nil {
		return nil, storeError("list registrations", err)
	}
	if out == nil {
		out = []domain.Registration{}
	}
	return out, nil
}

// RegistrationDeadline is year's last day for registering (YYYY-MM-DD):
// the officer's, or the default.
func (s *Service) RegistrationDeadline(ctx context.Context, year int) (string, error) {
	rs, err := s.registrationStore()
	if err != nil {
		return "", failure("read registration deadline", err)
	}
	d, err := rs.RegistrationDeadline(ctx, year)
	if err != nil {
		return "", storeError("read registration deadline", err)
	}
	if d == "" {
		d = domain.DefaultRegistrationDeadline(year)
	}
	return d, nil
}

// RegistrationYear is the year units register for now: this year until
// its deadline, then the next.
func (s *Service) RegistrationYear(ctx context.Context) (int, error) {
	y := s.Year()
	d, err := s.RegistrationDeadline(ctx, y)
	if err != nil {
		return 0, err
	}
	if s.Today() > d {
		y++
	}
	return y, nil
}

// SetRegistrationDeadline sets year's deadline (officer): a day of that
// year, YYYY-MM-DD.
func (s *Service) SetRegistrationDeadline(ctx context.Context, a domain.Actor, year int, closes string) (string, error) {
	if !a.Has(domain.RoleOfficer) {
		return "", refusal(domain.ErrForbidden, "only an officer sets the registration deadline")
	}
	closes = strings.TrimSpace(closes)
	var fe []domain.FieldError
	if e := domain.YearError(year); e != nil {
		fe = append(fe, *e)
	}
	if d, err := time.Parse(time.DateOnly, closes); err != nil {
		fe = append(fe, domain.FieldError{Field: "closes", Message: "must be a date YYYY-MM-DD"})
	} else if d.Year() != year {
		fe = append(fe, domain.FieldError{Field: "closes", Message: "must be a day of the year it closes"})
	}
	if len(fe) > 0 {
		return "", invalid(fe...)
	}
	rs, err := s.registrationStore()
	if err != nil {
		return "", failure("set registration deadline", err)
	}
	if err := rs.SetRegistrationDeadline(ctx, year, closes, a.ID); err != nil {
		return "", storeError("set registration deadline", err)
	}
	return closes, nil
}

// Register records a registration of the caller's own unit (role unit),
// until the year's deadline; the year is this year when not given. The
// same nominee registered twice for a title in a year is 409.
func (s *Service) Register(ctx context.Context, a domain.Actor, r domain.Registration) (domain.Registration, error) {
	if !a.Has(domain.RoleUnit) || a.Unit == "" {
		return domain.Registration{}, refusal(domain.ErrForbidden, "only a unit registers its titles")
	}
	r.Unit = strings.TrimSpace(r.Unit)
	if r.Unit == "" {
		r.Unit = a.Unit
	}
	if r.Unit != a.Unit {
		return domain.Registration{}, invalid(domain.FieldError{Field: "unit", Message: "must be your own unit " + a.Unit})
	}
	if r.Year == 0 {
		r.Year = s.Year()
	}
	r.AwardCode = strings.TrimSpace(r.AwardCode)
	r.Nominee = domain.Nominee{Type: r.Nominee.Type, Name: strings.TrimSpace(r.Nominee.Name), Position: strings.TrimSpace(r.Nominee.Position)}
	deadline := domain.DefaultRegistrationDeadline(r.Year)
	if r.Year >= 2000 && r.Year <= 2100 {
		d, err := s.RegistrationDeadline(ctx, r.Year)
		if err != nil {
			return domain.Registration{}, err
		}
		deadline = d
	}
	if e := domain.ValidateRegistration(r, s.Today(), deadline); e != nil {
		out := fromDomain(e, "")
		for _, f := range e.Fields {
			if f.Field == "year" && s.Today() > deadline {
				out.VI = fmt.Sprintf("Đăng ký thi đua năm %d đã hết hạn ngày %s.", r.Year, dayVN(deadline))
			}
		}
		return domain.Registration{}, out
	}
	if err := s.checkUnit(ctx, r.Unit); err != nil {
		return domain.Registration{}, err
	}
	rs, err := s.registrationStore()
	if err != nil {
		return domain.Registration{}, failure("register", err)
	}
	r.NomineeKey = domain.RegistrationKey(r.Nominee, r.Unit)
	r.CreatedBy = a.ID
	out, err := rs.CreateRegistration(ctx, r)
	if errors.Is(err, store.ErrExists) {
		return domain.Registration{}, &Error{Kind: domain.ErrConflict, Detail: "this nominee is already registered for this title in this year",
			VI: fmt.Sprintf("«%s» đã được đăng ký danh hiệu này cho năm %d.", r.Nominee.Name, r.Year)}
	}
	if err != nil {
		return domain.Registration{}, storeError("register", err)
	}
	return out, nil
}

// RegistrationCheck is the registration finding of a title dossier: whether
// its nominee was registered for its title in its year (the year its
// achievement period counts for). Rule is "registration", as the
// eligibility findings name theirs.
type RegistrationCheck struct {
	Rule     string   `json:"rule"`
	OK       bool     `json:"ok"`
	Year     int      `json:"year"`
	Evidence []string `json:"evidence"`
	Message  string   `json:"message"`
}

// RegistrationFinding is the registration finding of dossier v, or nil
// when its award is not an emulation title (nothing to register).
func (s *Service) RegistrationFinding(ctx context.Context, v domain.View) (*RegistrationCheck, error) {
	a, ok := domain.TitleAward(v.AwardCode)
	if !ok {
		return nil, nil
	}
	year := domain.PeriodYear(v.AchievementPeriod)
	if year == 0 {
		year = v.CreatedAt.In(domain.Local).Year()
	}
	rs, err := s.registrationStore()
	if err != nil {
		return nil, nil // a read model without registrations (handler tests' fake) has no finding to give
	}
	r, err := rs.FindRegistration(ctx, year, domain.RegistrationKey(v.Nominee, v.Unit), v.AwardCode)
	if errors.Is(err, store.ErrNotFound) {
		return &RegistrationCheck{Rule: "registration", OK: false, Year: year, Evidence: []string{},
			Message: fmt.Sprintf("«%s» chưa đăng ký thi đua danh hiệu «%s» năm %d.", v.Nominee.Name, a.Name, year)}, nil
	}
	if err != nil {
		return nil, storeError("read registration", err)
	}
	return &RegistrationCheck{Rule: "registration", OK: true, Year: year,
		Evidence: []string{fmt.Sprintf("registration %d of %s, %s", r.ID, r.Unit, r.CreatedAt.In(domain.Local).Format(time.DateOnly))},
		Message: fmt.Sprintf("«%s» đã đăng ký thi đua danh hiệu «%s» năm %d (ngày %s).", v.Nominee.Name, a.Name, year,
			r.CreatedAt.In(domain.Local).Format("02/01/2006"))}, nil
}

// MaxSentReminders is the longest outbox page.
const MaxSentReminders = 500

// SentReminders is the reminders' outbox, newest first (admin).
func (s *Service) SentReminders(ctx context.Context, a domain.Actor) ([]store.SentReminder, error) {
	if !a.Has(domain.RoleAdmin) {
		return nil, refusal(domain.ErrForbidden, "only an administrator reads the reminders' outbox")
	}
	rs, err := s.registrationStore()
	if err != nil {
		return nil, failure("list sent reminders", err)
	}
	out, err := rs.SentReminders(ctx, MaxSentReminders)
	if err != nil {
		return nil, storeError("list sent reminders", err)
	}
	return out, nil
}
