package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tdkt/domain"
	"tdkt/store"
	"tdkt/workflows"
)

// Eligibility (DOMAIN.md "Award registry and eligibility"): the findings of
// domain.Evaluate on a dossier or a submission, from the award registry,
// the nominee's other dossiers and the discipline-review holds. A duplicate
// proposal and a held nominee are refused at submission (422 naming the
// nominee); the rest is advice the officer may overrule with a comment
// (OverruleEligibility), which lands in the dossier's history. A held
// nominee's running dossiers cannot be decided until the hold is lifted
// (Act, MoveInBatch).

// eligibilityStore is what eligibility needs of the read model.
type eligibilityStore interface {
	SetHold(ctx context.Context, h domain.Hold) (domain.Hold, error)
	LiftHold(ctx context.Context, key, by, reason string) error
	Holds(ctx context.Context) ([]domain.Hold, error)
	HoldOn(ctx context.Context, keys []string) (*domain.Hold, error)
	HoldsOn(ctx context.Context, keys []string) (map[string]domain.Hold, error)
	NomineeRegistry(ctx context.Context, keys []string) ([]domain.RegistryEntry, error)
	ProposalsOf(ctx context.Context, award, name string) ([]domain.View, error)
}

var _ eligibilityStore = (*store.Store)(nil)

func (s *Service) eligibilityStore() (eligibilityStore, error) {
	if e, ok := s.store.(eligibilityStore); ok {
		return e, nil
	}
	return nil, errors.New("this read model holds no holds or registry")
}

// NomineeKeys are the registry keys a nominee may be recorded under: its
// key (domain.NomineeKey), and for a person with a citizen id also the key
// of the name, date of birth and unit, under which rows imported without
// the citizen id were recorded.
func NomineeKeys(n domain.Nominee, unit string) []string {
	keys := []string{domain.NomineeKey(n, unit)}
	if n.Type != domain.Collective && strings.TrimSpace(n.CitizenID) != "" {
		birth, _ := time.Parse(time.DateOnly, n.BirthDate)
		keys = append(keys, domain.PersonKey(n.Name, birth, unit, ""))
	}
	return keys
}

// proposal is what eligibility judges: a dossier, or a submission (id "").
type proposal struct {
	id, unit, award, period string
	kind                    domain.Kind
	nominee                 domain.Nominee
	received                time.Time
}

// evaluate gathers what the rules look at and judges p.
func (s *Service) evaluate(ctx context.Context, p proposal) (domain.Eligibility, error) {
	es, err := s.eligibilityStore()
	if err != nil {
		return domain.Eligibility{}, failure("eligibility", err)
	}
	keys := NomineeKeys(p.nominee, p.unit)
	reg, err := es.NomineeRegistry(ctx, keys)
	if err != nil {
		return domain.Eligibility{}, failure("read the registry", err)
	}
	// The dossier's own grant is not a duplicate of itself.
	reg = slices.DeleteFunc(reg, func(e domain.RegistryEntry) bool { return p.id != "" && e.DossierID == p.id })
	others, err := es.ProposalsOf(ctx, p.award, p.nominee.Name)
	if err != nil {
		return domain.Eligibility{}, failure("read proposals", err)
	}
	var props []domain.Proposal
	for _, v := range others {
		if v.ID == p.id || !sharesKey(keys, NomineeKeys(v.Nominee, v.Unit)) {
			continue
		}
		props = append(props, domain.Proposal{DossierID: v.ID, Stage: v.Stage, Period: v.AchievementPeriod})
	}
	hold, err := es.HoldOn(ctx, keys)
	if err != nil {
		return domain.Eligibility{}, failure("read holds", err)
	}
	rules := domain.EligibilityRulesAt(p.received)
	return domain.Evaluate(rules, domain.EligibilityInput{AwardCode: p.award, NomineeType: p.nominee.Type, Kind: p.kind,
		Period: p.period, Registry: reg, Proposals: props, Hold: hold}), nil
}

func sharesKey(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Eligibility is the findings on dossier id, for whoever may see it,
// judged by the rules in force on the day it was received.
func (s *Service) Eligibility(ctx context.Context, a domain.Actor, id string) (domain.Eligibility, error) {
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.Eligibility{}, err
	}
	return s.evaluate(ctx, proposal{id: v.ID, unit: v.Unit, award: v.AwardCode, period: v.AchievementPeriod, kind: v.Kind,
		nominee: v.Nominee, received: v.CreatedAt})
}

// checkEligibility refuses a submission whose nominee is under a hold or
// already proposed for the award and period (422 naming the nominee);
// advice does not refuse it.
func (s *Service) checkEligibility(ctx context.Context, unit string, sub domain.Submission) error {
	if _, err := s.eligibilityStore(); err != nil {
		return nil // a read model without the registry has nothing to say
	}
	el, err := s.evaluate(ctx, proposal{unit: unit, award: sub.AwardCode, period: sub.AchievementPeriod, kind: sub.Kind,
		nominee: sub.Nominee, received: s.now()})
	if err != nil {
		return err
	}
	if !el.Hard {
		return nil
	}
	e := invalid()
	for _, f := range el.Findings {
		if f.OK || !f.Hard {
			continue
		}
		en := "is under a discipline-review hold and may not be proposed until it is lifted"
		if f.Rule.Code == domain.RuleDuplicate {
			var where []string
			for _, ev := range f.Evidence {
				if ev.DossierID != "" {
					where = append(where, ev.DossierID)
				} else {
					where = append(where, "registry decision "+ev.DecisionNumber)
				}
			}
			en = fmt.Sprintf("is already proposed for %s, period %s (%s)", sub.AwardCode, sub.AchievementPeriod, strings.Join(where, ", "))
		}
		e.Fields = append(e.Fields, domain.FieldError{Field: "nominee", Message: en})
		e.FieldsVI = append(e.FieldsVI, domain.FieldError{Field: "nominee", Message: f.Message})
	}
	e.VI = "Không thể nộp hồ sơ: " + e.FieldsVI[0].Message
	return e
}

// OverruleEligibility records, in dossier id's history, that the officer
// proceeds against the eligibility advice, with the reason (comment,
// required). A hold or a duplicate is no advice: lifting the hold, or
// withdrawing the other dossier, is the way on.
func (s *Service) OverruleEligibility(ctx context.Context, a domain.Actor, id, comment string, ifMatch int64) (domain.View, error) {
	if !a.Has(domain.RoleOfficer) {
		return domain.View{}, &Error{Kind: domain.ErrForbidden, Action: domain.ActOverruleEligibility,
			Detail: "only the emulation office overrules the eligibility advice"}
	}
	comment = strings.TrimSpace(comment)
	if fe := CheckText("comment", comment, MaxComment); fe != nil {
		return domain.View{}, invalid(*fe)
	}
	if comment == "" {
		return domain.View{}, invalid(domain.FieldError{Field: "comment", Message: "is required"})
	}
	v, err := s.visible(ctx, a, id)
	if err != nil {
		return domain.View{}, err
	}
	el, err := s.evaluate(ctx, proposal{id: v.ID, unit: v.Unit, award: v.AwardCode, period: v.AchievementPeriod, kind: v.Kind,
		nominee: v.Nominee, received: v.CreatedAt})
	if err != nil {
		return domain.View{}, err
	}
	advice := false
	for _, f := range el.Findings {
		advice = advice || (!f.OK && !f.Hard)
	}
	if !advice {
		return domain.View{}, &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: domain.ActOverruleEligibility,
			Detail: "every eligibility rule that is advice is met: there is nothing to overrule",
			VI:     "Không có điều kiện nào (thuộc loại khuyến nghị) chưa đạt, nên không cần ghi ý kiến bỏ qua."}
	}
	cmd := domain.Command{Action: domain.ActOverruleEligibility, Actor: a, Comment: comment, ExpectedVersion: ifMatch}
	nv, err := s.send(ctx, v.ID, cmd)
	if err != nil {
		return domain.View{}, s.updateError(ctx, v.ID, cmd.Action, string(cmd.Action), err)
	}
	return s.withHold(ctx, s.present(ctx, a, nv, nil)), nil
}

// withHold shows the hold on a running dossier's nominee, and takes
// decide and propose out of the actions offered while it stands.
func (s *Service) withHold(ctx context.Context, v domain.View) domain.View {
	return s.withHolds(ctx, []domain.View{v})[0]
}

// withHolds is withHold for a page of dossiers, with one read of the holds.
func (s *Service) withHolds(ctx context.Context, views []domain.View) []domain.View {
	es, err := s.eligibilityStore()
	if err != nil {
		return views
	}
	var keys []string
	for _, v := range views {
		if v.Status == domain.StatusActive {
			keys = append(keys, NomineeKeys(v.Nominee, v.Unit)...)
		}
	}
	if len(keys) == 0 {
		return views
	}
	holds, err := es.HoldsOn(ctx, keys)
	if err != nil {
		s.log.WarnContext(ctx, "read holds", "error", err)
		return views
	}
	for i, v := range views {
		if v.Status != domain.StatusActive {
			continue
		}
		if h := store.EarliestHold(holds, NomineeKeys(v.Nominee, v.Unit)); h != nil {
			views[i] = withHoldOf(v, h)
		}
	}
	return views
}

// withHoldOf shows hold h on v: decide and propose are not offered (nor
// accepted) until it is lifted.
func withHoldOf(v domain.View, h *domain.Hold) domain.View {
	v.Hold = h
	v.AllowedActions = slices.DeleteFunc(slices.Clone(v.AllowedActions), decides)
	return v
}

// heldRefusal refuses deciding a dossier whose nominee is under a hold:
// 409, the reason in Vietnamese. nil when none stands.
func (s *Service) heldRefusal(ctx context.Context, v domain.View, action domain.Action) error {
	es, err := s.eligibilityStore()
	if err != nil {
		return nil
	}
	h, err := es.HoldOn(ctx, NomineeKeys(v.Nominee, v.Unit))
	if err != nil {
		return failure("read holds", err)
	}
	if h == nil {
		return nil
	}
	return &Error{Kind: domain.ErrConflict, Stage: v.Stage, Action: action,
		Detail: fmt.Sprintf("the nominee is under a discipline-review hold (since %s: %s); the dossier cannot be decided until it is lifted", h.SetAt.Format(time.DateOnly), h.Reason),
		VI: fmt.Sprintf("Người được đề nghị đang bị xem xét kỷ luật (từ ngày %s, lý do: %s). Chưa thể quyết định hoặc trình hồ sơ cho đến khi gỡ.",
			h.SetAt.In(domain.Local).Format("02/01/2006"), h.Reason)}
}

// decides says whether an action decides a dossier (or proposes it on):
// what a hold forbids.
func decides(a domain.Action) bool { return a == domain.ActDecide || a == domain.ActPropose }

// batchStage says whether a dossier is still in a stage batch kind k moves
// it from (a hold is checked only then: a dossier already moved by an
// earlier attempt gets the first attempt's answer).
func batchStage(k workflows.BatchKind, st domain.Stage) bool {
	if k == workflows.BatchCentralDecision {
		return st == domain.PMDecision || st == domain.PresidentDecision
	}
	return st == domain.Decision
}

// mayHold: the emulation office sets and lifts holds; administrators read
// them too.
func mayHold(a domain.Actor) bool { return a.Has(domain.RoleOfficer) }

// CheckPersonKey accepts a registry key: "cccd:", "p:" or "t:" and text.
func CheckPersonKey(key string) *domain.FieldError {
	if fe := CheckText("person_key", key, MaxName+2*MaxCode); fe != nil {
		return fe
	}
	if !utf8.ValidString(key) || !(strings.HasPrefix(key, "cccd:") || strings.HasPrefix(key, "p:") || strings.HasPrefix(key, "t:")) ||
		strings.TrimSpace(key) != key || len(key) < 3 {
		return &domain.FieldError{Field: "person_key", Message: "must be a registry key (cccd:…, p:name|birth date|unit or t:unit|sub-unit)"}
	}
	return nil
}

// SetHold sets a discipline-review hold on key with a reason (officer); a
// hold already standing takes the new reason.
func (s *Service) SetHold(ctx context.Context, a domain.Actor, key, reason string) (domain.Hold, error) {
	if !mayHold(a) {
		return domain.Hold{}, refusal(domain.ErrForbidden, "only the emulation office sets holds")
	}
	if fe := s.checkHoldInput(key, reason, true); len(fe) > 0 {
		return domain.Hold{}, invalid(fe...)
	}
	es, err := s.eligibilityStore()
	if err != nil {
		return domain.Hold{}, failure("set hold", err)
	}
	h, err := es.SetHold(ctx, domain.Hold{PersonKey: key, Reason: strings.TrimSpace(reason), SetBy: a.ID, SetByName: a.Name})
	if err != nil {
		return domain.Hold{}, failure("set hold", err)
	}
	return h, nil
}

func (s *Service) checkHoldInput(key, reason string, required bool) []domain.FieldError {
	var fe []domain.FieldError
	if e := CheckPersonKey(key); e != nil {
		fe = append(fe, *e)
	}
	if e := CheckText("reason", reason, MaxComment); e != nil {
		fe = append(fe, *e)
	} else if required && strings.TrimSpace(reason) == "" {
		fe = append(fe, domain.FieldError{Field: "reason", Message: "is required"})
	}
	return fe
}

// LiftHold lifts the hold on key (officer), with an optional reason; 404
// when none stands.
func (s *Service) LiftHold(ctx context.Context, a domain.Actor, key, reason string) error {
	if !mayHold(a) {
		return refusal(domain.ErrForbidden, "only the emulation office lifts holds")
	}
	if fe := s.checkHoldInput(key, reason, false); len(fe) > 0 {
		return invalid(fe...)
	}
	es, err := s.eligibilityStore()
	if err != nil {
		return failure("lift hold", err)
	}
	err = es.LiftHold(ctx, key, a.ID, strings.TrimSpace(reason))
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Kind: domain.ErrNotFound, Detail: "no hold stands on this person", VI: "Không có ghi nhận xem xét kỷ luật nào đang áp dụng với người này."}
	}
	if err != nil {
		return failure("lift hold", err)
	}
	return nil
}

// Holds lists the holds standing (officer, admin).
func (s *Service) Holds(ctx context.Context, a domain.Actor) ([]domain.Hold, error) {
	if !a.Has(domain.RoleOfficer) && !a.Has(domain.RoleAdmin) {
		return nil, refusal(domain.ErrForbidden, "only the emulation office and administrators read holds")
	}
	es, err := s.eligibilityStore()
	if err != nil {
		return nil, failure("list holds", err)
	}
	hs, err := es.Holds(ctx)
	if err != nil {
		return nil, failure("list holds", err)
	}
	return hs, nil
}

// NomineeHistory is the registry rows of a nominee's key (a person's award
// history), oldest year first, for those who read the registry; a unit
// reads its own unit's rows.
func (s *Service) NomineeHistory(ctx context.Context, a domain.Actor, key string) ([]domain.RegistryEntry, error) {
	scope, err := registryScope(a)
	if err != nil {
		return nil, err
	}
	if fe := CheckPersonKey(key); fe != nil {
		return nil, invalid(*fe)
	}
	es, err := s.eligibilityStore()
	if err != nil {
		return nil, failure("nominee history", err)
	}
	rows, err := es.NomineeRegistry(ctx, []string{key})
	if err != nil {
		return nil, failure("nominee history", err)
	}
	if scope != "" {
		rows = slices.DeleteFunc(rows, func(e domain.RegistryEntry) bool { return e.Unit != scope })
	}
	return rows, nil
}
