package app

import (
	"context"
	"errors"
	"strings"

	"tdkt/domain"
	"tdkt/store"
)

// The unit directory (danh mục đơn vị): every role reads it, the
// administrator keeps it. A dossier's unit must be in it (Submit).

// Units is the directory, by emulation block then code. A unit's e-mail
// addresses (where its reminders go) are shown to the office and the
// administrator, and to the unit itself; to nobody else.
func (s *Service) Units(ctx context.Context, a domain.Actor) ([]domain.Unit, error) {
	us, err := s.store.ListUnits(ctx)
	if err != nil {
		return nil, failure("list units", err)
	}
	office := a.Has(domain.RoleOfficer) || a.Has(domain.RoleAdmin)
	for i := range us {
		if !office && !(a.Has(domain.RoleUnit) && a.Unit == us[i].Code) {
			us[i].Email = ""
		}
	}
	return us, nil
}

// UnitsOf is the directory filtered by kind and emulation block (either
// empty: any), as GET /api/v1/units?kind=&block= asks.
func (s *Service) UnitsOf(ctx context.Context, a domain.Actor, kind, block string) ([]domain.Unit, error) {
	if kind != "" && !domain.ValidUnitKind(domain.UnitKind(kind)) {
		return nil, invalid(domain.FieldError{Field: "kind", Message: "must be one of so_ban_nganh, doan_the, xa, phuong, dac_khu, doanh_nghiep"})
	}
	us, err := s.Units(ctx, a)
	if err != nil {
		return nil, err
	}
	out := []domain.Unit{}
	for _, u := range us {
		if (kind == "" || string(u.Kind) == kind) && (block == "" || u.Block == block) {
			out = append(out, u)
		}
	}
	return out, nil
}

// CreateUnit adds a unit (admin).
func (s *Service) CreateUnit(ctx context.Context, a domain.Actor, u domain.Unit) (domain.Unit, error) {
	out, err := s.createUnit(ctx, a, u)
	return out, labelled(err, unitLabels)
}

// unitLabels name a unit's fields for people.
var unitLabels = map[string]string{"code": "Mã đơn vị", "name": "Tên đơn vị"}

func (s *Service) createUnit(ctx context.Context, a domain.Actor, u domain.Unit) (domain.Unit, error) {
	if !a.Has(domain.RoleAdmin) {
		return domain.Unit{}, refusal(domain.ErrForbidden, "only an administrator may change the unit directory")
	}
	u = trimUnit(u)
	if fe := u.Check(); len(fe) > 0 {
		return domain.Unit{}, invalid(fe...)
	}
	err := s.store.CreateUnit(ctx, u)
	if errors.Is(err, store.ErrExists) {
		return domain.Unit{}, invalid(domain.FieldError{Field: "code", Message: "is already used by another unit of the directory"})
	}
	if err != nil {
		return domain.Unit{}, failure("create unit", err)
	}
	return u, nil
}

// UpdateUnit changes a unit's name, kind or block (admin); its code, which
// dossiers carry, never changes.
func (s *Service) UpdateUnit(ctx context.Context, a domain.Actor, code string, u domain.Unit) (domain.Unit, error) {
	out, err := s.updateUnit(ctx, a, code, u)
	return out, labelled(err, unitLabels)
}

func (s *Service) updateUnit(ctx context.Context, a domain.Actor, code string, u domain.Unit) (domain.Unit, error) {
	if !a.Has(domain.RoleAdmin) {
		return domain.Unit{}, refusal(domain.ErrForbidden, "only an administrator may change the unit directory")
	}
	u = trimUnit(u)
	if u.Code != "" && u.Code != code {
		return domain.Unit{}, invalid(domain.FieldError{Field: "code", Message: "is not taken by an update: a unit's code never changes"})
	}
	u.Code = code
	if fe := u.Check(); len(fe) > 0 {
		return domain.Unit{}, invalid(fe...)
	}
	err := s.store.UpdateUnit(ctx, u)
	if errors.Is(err, store.ErrNotFound) {
		return domain.Unit{}, refusal(domain.ErrNotFound, "no such unit")
	}
	if err != nil {
		return domain.Unit{}, failure("update unit", err)
	}
	return u, nil
}

func trimUnit(u domain.Unit) domain.Unit {
	u.Code, u.Name, u.Block = strings.TrimSpace(u.Code), strings.TrimSpace(u.Name), strings.TrimSpace(u.Block)
	u.Email = strings.Join(u.Emails(), ", ")
	u.Kind = domain.UnitKind(strings.TrimSpace(string(u.Kind)))
	return u
}

// checkUnit refuses a submission from a unit the directory does not have:
// the token's unit claim must name a unit of the directory.
func (s *Service) checkUnit(ctx context.Context, unit string) error {
	_, err := s.store.GetUnit(ctx, unit)
	if errors.Is(err, store.ErrNotFound) {
		return invalid(domain.FieldError{Field: "unit", Message: "is not in the unit directory: " + unit})
	}
	if err != nil {
		return failure("read unit", err)
	}
	return nil
}
