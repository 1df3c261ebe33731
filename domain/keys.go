package domain

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is the search form of Vietnamese text: lower case, without tone or
// vowel marks (Đ and đ become d, which Unicode does not decompose),
// whitespace and control characters collapsed into single spaces. "Lò Văn
// Đặng" folds to "lo van dang". Searches fold both the stored text and the
// query, and the registry's person keys fold names, so that "Lò Văn A" and
// "LO VAN A" are one person.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// PersonKey identifies a person across the award registry (sổ khen
// thưởng), so that eligibility can find a person's earlier awards: the
// citizen id (số định danh cá nhân, CCCD) when known, which is unique and
// survives a move between units; otherwise the folded full name, the date of
// birth (zero when unknown) and the unit. Two people of the same name, born
// the same day, in the same unit, share a key: a citizen id tells them
// apart.
func PersonKey(name string, birth time.Time, unit, citizenID string) string {
	if id := strings.TrimSpace(citizenID); id != "" {
		return "cccd:" + id
	}
	dob := ""
	if !birth.IsZero() {
		dob = birth.Format(time.DateOnly)
	}
	return "p:" + Fold(name) + "|" + dob + "|" + strings.ToUpper(strings.TrimSpace(unit))
}

// CollectiveKey identifies a collective (tập thể): its unit and the name
// of the sub-unit (a school, a division), folded; the unit itself when the
// name is empty.
func CollectiveKey(unit, subUnit string) string {
	return "t:" + strings.ToUpper(strings.TrimSpace(unit)) + "|" + Fold(subUnit)
}

// NomineeKey is the registry key of a dossier's nominee: a collective's,
// or a person's from what the submission holds (the name and unit, and the
// date of birth and citizen id when the unit gave them).
func NomineeKey(n Nominee, unit string) string {
	if n.Type == Collective {
		return CollectiveKey(unit, n.Name)
	}
	birth, _ := time.Parse(time.DateOnly, n.BirthDate)
	return PersonKey(n.Name, birth, unit, n.CitizenID)
}
