package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CouncilMember is one member of the emulation and commendation council's
// roster (DOMAIN.md, "Council sessions"): the id they sign in with (the
// token's subject), their name and position, in the order the minutes list
// them. The council's size, by which votes are counted, stays the policy's;
// the roster names its members.
type CouncilMember struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
	// Order is the member's place in the minutes' lists (smallest first).
	Order int `json:"order"`
}

// MaxMemberID, MaxMemberName and MaxMemberPosition bound a member's fields.
const (
	MaxMemberID       = 128
	MaxMemberName     = 200
	MaxMemberPosition = 300
)

// Check says what is wrong with m, field by field.
func (m CouncilMember) Check() []FieldError {
	var fe []FieldError
	switch {
	case m.ID == "":
		fe = append(fe, FieldError{Field: "id", Message: "is required: the id the member signs in with"})
	case utf8.RuneCountInString(m.ID) > MaxMemberID || strings.IndexFunc(m.ID, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		fe = append(fe, FieldError{Field: "id", Message: "must be the sign-in id: at most 128 characters, no spaces"})
	}
	if strings.TrimSpace(m.Name) == "" {
		fe = append(fe, FieldError{Field: "name", Message: "is required"})
	} else if utf8.RuneCountInString(m.Name) > MaxMemberName {
		fe = append(fe, FieldError{Field: "name", Message: "must be at most 200 characters"})
	}
	if utf8.RuneCountInString(m.Position) > MaxMemberPosition {
		fe = append(fe, FieldError{Field: "position", Message: "must be at most 300 characters"})
	}
	if m.Order < 0 || m.Order > 999 {
		fe = append(fe, FieldError{Field: "order", Message: "must be a whole number from 0 to 999"})
	}
	return fe
}
