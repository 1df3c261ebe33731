package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"tdkt/domain"
	"tdkt/store"
)

// The council's roster (danh sách thành viên Hội đồng): the administrator
// keeps it; the office, the council and the chairman read it. The minutes
// name the absent members from it, and the secretary picks an absent
// member's written opinion from it (a member not on a roster that has
// members is refused). Votes are still counted on the policy's council
// size; a roster of another size is flagged on its page.

// rosterStore is what the roster needs of the read model.
type rosterStore interface {
	CouncilMembers(ctx context.Context) ([]domain.CouncilMember, error)
	PutCouncilMember(ctx context.Context, m domain.CouncilMember, by string) (bool, error)
	RemoveCouncilMember(ctx context.Context, id string) error
}

var _ rosterStore = (*store.Store)(nil)

// memberLabels name a roster entry's fields for people.
var memberLabels = map[string]string{"id": "Mã đăng nhập", "name": "Họ tên", "position": "Chức vụ", "order": "Thứ tự"}

// MayReadRoster is whether a reads the council's roster: everyone but a
// unit.
func MayReadRoster(a domain.Actor) bool {
	return a.Has(domain.RoleOfficer) || a.Has(domain.RoleCouncil) || a.Has(domain.RoleSecretary) ||
		a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin)
}

// CouncilRoster is the roster, in the minutes' order.
func (s *Service) CouncilRoster(ctx context.Context, a domain.Actor) ([]domain.CouncilMember, error) {
	if !MayReadRoster(a) {
		return nil, refusal(domain.ErrForbidden, "the council's roster is read by the office, the council and the chairman")
	}
	return s.roster(ctx)
}

// roster reads the roster, empty when the read model keeps none.
func (s *Service) roster(ctx context.Context) ([]domain.CouncilMember, error) {
	rs, ok := s.store.(rosterStore)
	if !ok {
		return []domain.CouncilMember{}, nil
	}
	ms, err := rs.CouncilMembers(ctx)
	if err != nil {
		return nil, failure("read the council's roster", err)
	}
	return ms, nil
}

// PutCouncilMember adds member id to the roster or changes its entry
// (admin); created says which.
func (s *Service) PutCouncilMember(ctx context.Context, a domain.Actor, id string, m domain.CouncilMember) (domain.CouncilMember, bool, error) {
	out, created, err := s.putCouncilMember(ctx, a, id, m)
	return out, created, labelled(err, memberLabels)
}

func (s *Service) putCouncilMember(ctx context.Context, a domain.Actor, id string, m domain.CouncilMember) (domain.CouncilMember, bool, error) {
	if !a.Has(domain.RoleAdmin) {
		return domain.CouncilMember{}, false, refusal(domain.ErrForbidden, "only an administrator keeps the council's roster")
	}
	m.ID, m.Name, m.Position = strings.TrimSpace(id), strings.TrimSpace(m.Name), strings.TrimSpace(m.Position)
	fe := m.Check()
	for _, f := range []struct{ field, v string }{{"name", m.Name}, {"position", m.Position}} {
		if e := CheckText(f.field, f.v, domain.MaxMemberPosition); e != nil {
			fe = append(fe, *e)
		}
	}
	if len(fe) > 0 {
		return domain.CouncilMember{}, false, invalid(fe...)
	}
	rs, ok := s.store.(rosterStore)
	if !ok {
		return domain.CouncilMember{}, false, failure("council roster", errors.New("this read model keeps no roster"))
	}
	created, err := rs.PutCouncilMember(ctx, m, a.ID)
	if err != nil {
		return domain.CouncilMember{}, false, failure("put council member", err)
	}
	return m, created, nil
}

// RemoveCouncilMember takes member id off the roster (admin); not found
// when it is not on it.
func (s *Service) RemoveCouncilMember(ctx context.Context, a domain.Actor, id string) error {
	if !a.Has(domain.RoleAdmin) {
		return refusal(domain.ErrForbidden, "only an administrator keeps the council's roster")
	}
	rs, ok := s.store.(rosterStore)
	if !ok {
		return failure("council roster", errors.New("this read model keeps no roster"))
	}
	err := rs.RemoveCouncilMember(ctx, strings.TrimSpace(id))
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Kind: domain.ErrNotFound, Detail: "no council member " + id + " on the roster",
			VI: "Không có thành viên " + id + " trong danh sách Hội đồng."}
	}
	if err != nil {
		return failure("remove council member", err)
	}
	return nil
}

// onRoster is the roster's entry of member id, and whether there is one.
func onRoster(ms []domain.CouncilMember, id string) (domain.CouncilMember, bool) {
	i := slices.IndexFunc(ms, func(m domain.CouncilMember) bool { return m.ID == id })
	if i < 0 {
		return domain.CouncilMember{}, false
	}
	return ms[i], true
}

// YetToVote are the roster's members who have not voted on dossier id (a
// dossier voted on alone): whose written opinion the secretary may record.
// Empty without a roster.
func (s *Service) YetToVote(ctx context.Context, a domain.Actor, id string) ([]domain.CouncilMember, error) {
	if _, err := s.visible(ctx, a, id); err != nil {
		return nil, err
	}
	roster, err := s.roster(ctx)
	if err != nil {
		return nil, err
	}
	out := []domain.CouncilMember{}
	for _, m := range roster {
		voted, err := s.store.HasVoted(ctx, id, m.ID)
		if err != nil {
			return nil, failure("has voted", err)
		}
		if !voted {
			out = append(out, m)
		}
	}
	return out, nil
}
