package domain

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// UnitKind is what a submitting unit is (DOMAIN.md, "Legal rules are
// versioned data"): since 1/7/2025 local government has two levels, so a
// unit is a provincial department or sector, a mass organisation, a
// commune, a ward, a special zone or an enterprise. There are no districts.
type UnitKind string

const (
	UnitDepartment  UnitKind = "so_ban_nganh" // sở, ban, ngành
	UnitMassOrg     UnitKind = "doan_the"     // Mặt trận, đoàn thể
	UnitCommune     UnitKind = "xa"           // xã
	UnitWard        UnitKind = "phuong"       // phường
	UnitSpecialZone UnitKind = "dac_khu"      // đặc khu
	UnitEnterprise  UnitKind = "doanh_nghiep" // doanh nghiệp
)

// UnitKinds lists every kind, in the order people read them.
var UnitKinds = []UnitKind{UnitDepartment, UnitMassOrg, UnitCommune, UnitWard, UnitSpecialZone, UnitEnterprise}

// Unit is one entry of the unit directory (danh mục cơ quan, đơn vị, địa
// phương): the data a dossier's unit and a registry row's unit must be in.
type Unit struct {
	Code string   `json:"code"`
	Name string   `json:"name"`
	Kind UnitKind `json:"kind"`
	// Block is the emulation block (khối thi đua) the unit belongs to.
	Block string `json:"block"`
	// Email is where the unit's reminders go (optional): a plain address,
	// or several separated by commas.
	Email string `json:"email,omitempty"`
}

// MaxUnitCode and MaxUnitName bound a unit's code and name.
const (
	MaxUnitCode = 32
	MaxUnitName = 200
)

// ValidUnitCode reports whether s is a unit code: capital ASCII letters,
// digits, '-' and '_', starting with a letter or digit, at most MaxUnitCode
// long (the token's unit claim carries it, so it stays plain).
func ValidUnitCode(s string) bool {
	if s == "" || len(s) > MaxUnitCode || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidUnitKind reports whether k is one of UnitKinds.
func ValidUnitKind(k UnitKind) bool {
	for _, x := range UnitKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Check refuses a unit whose fields are wrong; nil when it may be stored.
func (u Unit) Check() []FieldError {
	var fe []FieldError
	if !ValidUnitCode(u.Code) {
		fe = append(fe, FieldError{Field: "code", Message: "must be a unit code: capital letters without diacritics, digits, '-' or '_', at most 32 characters"})
	}
	name := strings.TrimSpace(u.Name)
	switch {
	case name == "":
		fe = append(fe, FieldError{Field: "name", Message: "must not be empty"})
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		fe = append(fe, FieldError{Field: "name", Message: "must not hold control characters"})
	case utf8.RuneCountInString(name) > MaxUnitName:
		fe = append(fe, FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	if !ValidUnitKind(u.Kind) {
		fe = append(fe, FieldError{Field: "kind", Message: "must be one of so_ban_nganh, doan_the, xa, phuong, dac_khu, doanh_nghiep"})
	}
	if strings.ContainsFunc(u.Block, isControl) || !utf8.ValidString(u.Block) {
		fe = append(fe, FieldError{Field: "block", Message: "must not hold control characters"})
	} else if utf8.RuneCountInString(u.Block) > MaxUnitName {
		fe = append(fe, FieldError{Field: "block", Message: "must be at most 200 characters"})
	}
	for _, addr := range u.Emails() {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || len(addr) > 254 {
			fe = append(fe, FieldError{Field: "email", Message: "must be e-mail addresses separated by commas: " + addr + " is not one"})
			break
		}
	}
	return fe
}

// Emails are the unit's e-mail addresses, none when it has none.
func (u Unit) Emails() []string {
	var out []string
	for _, p := range strings.Split(u.Email, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
