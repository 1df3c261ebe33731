package pdfdoc

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ErrInvalid is wrapped by every error about a document's content, as opposed
// to a failure to write it.
var ErrInvalid = errors.New("invalid document")

// vietnam is Indochina Time; Vietnam keeps no daylight saving, so a fixed zone
// needs no time zone database.
var vietnam = time.FixedZone("ICT", 7*60*60)

// FormatDate writes a date the way Decree 30 asks: "ngày 05 tháng 01 năm
// 2027". Days below 10 and the months January and February take a leading
// zero (so that a 1 cannot be turned into 11 or 12 by hand); March to
// December do not: "ngày 15 tháng 3 năm 2027". The date is read in Vietnam
// time.
func FormatDate(t time.Time) string {
	t = t.In(vietnam)
	month := strconv.Itoa(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
}

// shortDate is the dd/mm/yyyy form used in an annex's "(Kèm theo …)" line.
func shortDate(t time.Time) string { return t.In(vietnam).Format("02/01/2006") }

// clock writes a time of day: "08 giờ 30 phút".
func clock(t time.Time) string {
	t = t.In(vietnam)
	return fmt.Sprintf("%02d giờ %02d phút", t.Hour(), t.Minute())
}

// count writes a count as administrative documents do, with a leading zero
// below 10: "05 tập thể".
func count(n int, noun string) string { return fmt.Sprintf("%02d %s", n, noun) }

// CountAwardees says how many collectives and individuals a list holds, the
// way Điều 1 of a decision does: "03 tập thể và 12 cá nhân".
func CountAwardees(as []Awardee) string {
	var collectives, individuals int
	for _, a := range as {
		if a.Collective {
			collectives++
		} else {
			individuals++
		}
	}
	switch {
	case collectives == 0:
		return count(individuals, "cá nhân")
	case individuals == 0:
		return count(collectives, "tập thể")
	}
	return count(collectives, "tập thể") + " và " + count(individuals, "cá nhân")
}

// clean normalises a line of text: NFC, so that a name typed with combining
// marks is the same name as one typed precomposed, and whitespace collapsed,
// since a line break or tab in a field has no place in a printed line.
// Invisible format characters pasted from word processors (zero-width
// space, byte order mark, soft hyphen) are dropped.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}

// checker normalises a document's fields in place and collects what is wrong
// with them, so that one error lists every problem.
type checker struct {
	doc      string
	problems []string
}

func (c *checker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// text cleans *s and checks that it can be printed; required fields must not
// be empty.
func (c *checker) text(field string, s *string, required bool) {
	*s = clean(*s)
	if *s == "" {
		if required {
			c.addf("%s is empty", field)
		}
		return
	}
	for _, r := range *s {
		if !canPrint(r) {
			c.addf("%s: character %q (U+%04X) cannot be printed in the document's font", field, r, r)
			return
		}
	}
}

// lines cleans every element of *ss (a copy: the caller's slice is not
// touched) and drops empty ones; at least min must remain.
func (c *checker) lines(field string, ss *[]string, min int) {
	out := make([]string, 0, len(*ss))
	for i, s := range *ss {
		c.text(fmt.Sprintf("%s[%d]", field, i), &s, false)
		if s != "" {
			out = append(out, s)
		}
	}
	*ss = out
	if len(out) < min {
		if min == 1 {
			c.addf("%s is empty", field)
		} else {
			c.addf("%s has %d lines, at least %d needed", field, len(out), min)
		}
	}
}

var numberPattern = regexp.MustCompile(`^(\d+)/(\S+)$`)

// number checks a number and symbol (số, ký hiệu) such as "12/QĐ-UBND": the
// symbol must start with the abbreviation of the document type (QĐ, TTr, BB),
// and a number below 10 gains its leading zero.
func (c *checker) number(s *string, kind string) {
	c.text("number", s, true)
	if *s == "" {
		return
	}
	m := numberPattern.FindStringSubmatch(*s)
	if m == nil {
		c.addf("number %q is not of the form N/%s-…", *s, kind)
		return
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		c.addf("number %q does not start with a number from 1", *s)
		return
	}
	if !strings.HasPrefix(m[2], kind+"-") {
		c.addf("number %q: the symbol of a %s starts with %s-", *s, c.doc, kind)
		return
	}
	*s = fmt.Sprintf("%02d/%s", n, m[2])
}

func (c *checker) date(field string, t time.Time) {
	if t.IsZero() {
		c.addf("%s is not set", field)
	}
}

func (c *checker) signer(field string, s *Signer) {
	c.lines(field+".Title", &s.Title, 1)
	c.text(field+".Name", &s.Name, true)
}

func (c *checker) issuer(is *Issuer, dflt Issuer) {
	if is.Parent == "" && len(is.Name) == 0 {
		*is = dflt
	}
	c.text("Issuer.Parent", &is.Parent, false)
	c.lines("Issuer.Name", &is.Name, 1)
}

func (c *checker) awardees(field string, as *[]Awardee) {
	out := make([]Awardee, len(*as))
	copy(out, *as)
	for i := range out {
		a := &out[i]
		c.text(fmt.Sprintf("%s[%d].Name", field, i), &a.Name, true)
		c.text(fmt.Sprintf("%s[%d].Position", field, i), &a.Position, false)
		c.text(fmt.Sprintf("%s[%d].Award", field, i), &a.Award, true)
	}
	*as = out
	if len(out) == 0 {
		c.addf("%s is empty: the annexed list needs at least one row", field)
	}
}

func (c *checker) member(field string, m *Member, required bool) {
	c.text(field+".Name", &m.Name, required)
	c.text(field+".Role", &m.Role, false)
}

func (c *checker) members(field string, ms *[]Member) {
	out := make([]Member, len(*ms))
	copy(out, *ms)
	for i := range out {
		c.member(fmt.Sprintf("%s[%d]", field, i), &out[i], true)
	}
	*ms = out
}

func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return fmt.Errorf("pdfdoc: %w: %s: %s", ErrInvalid, c.doc, strings.Join(c.problems, "; "))
}

// punctuate ends each line of a list with sep and the last with end, as the
// căn cứ and nơi nhận lists are written, whatever the input ended with.
func punctuate(ss []string, sep, end string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		s = strings.TrimRight(s, " ;.,/")
		if i == len(ss)-1 {
			out[i] = s + end
		} else {
			out[i] = s + sep
		}
	}
	return out
}

// closing ends a document's last paragraph with "./.", the mark Vietnamese
// administrative documents put after their content.
func closing(s string) string {
	return strings.TrimRight(s, " ;.,/") + "./."
}
