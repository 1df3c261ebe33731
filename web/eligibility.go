package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tdkt/app"
	"tdkt/domain"
)

// Eligibility on the dossier page (the findings with their evidence, the
// officer's overrule), the discipline-review holds, and a nominee's award
// history (issue 13).

// eligibilityPanel is the dossier page's eligibility panel: for the
// officer and the chairman.
type eligibilityPanel struct {
	E domain.Eligibility
	// Key is the nominee's registry key; HistoryURL its award history.
	Key        string
	HistoryURL string
	// MayOverrule: the officer, on a running dossier, when some advice is
	// not met. MayHold: the officer may set a hold.
	MayOverrule bool
	MayHold     bool
	HoldURL     string
}

// EvidenceURL is the registry filtered on the nominee, the award and the
// year of an evidence row.
func (p eligibilityPanel) EvidenceURL(e domain.Evidence) string {
	q := url.Values{"nominee": {p.Key}}
	if e.AwardCode != "" {
		q.Set("award", e.AwardCode)
	}
	if e.Year != 0 {
		q.Set("year", strconv.Itoa(e.Year))
	}
	return "/registry?" + q.Encode()
}

// evidenceRow is a row of a finding's evidence table: a piece of evidence,
// or a year the registry lacks (Missing).
type evidenceRow struct {
	domain.Evidence
	Missing int
}

// Rows are a finding's evidence and missing years, by year (the order the
// evidence came in otherwise).
func (p eligibilityPanel) Rows(f domain.Finding) []evidenceRow {
	out := make([]evidenceRow, 0, len(f.Evidence)+len(f.MissingYears))
	for _, e := range f.Evidence {
		out = append(out, evidenceRow{Evidence: e})
	}
	for _, y := range f.MissingYears {
		out = append(out, evidenceRow{Missing: y})
	}
	year := func(r evidenceRow) int {
		if r.Missing != 0 {
			return r.Missing
		}
		return r.Year
	}
	if len(f.MissingYears) > 0 {
		slices.SortStableFunc(out, func(a, b evidenceRow) int { return year(a) - year(b) })
	}
	return out
}

// eligibilityPanelFor is the panel of dossier v for a, or nil when a does
// not see it (or it cannot be worked out: the page shows without it).
func (c *Console) eligibilityPanelFor(r *http.Request, a domain.Actor, v domain.View) *eligibilityPanel {
	if !a.Has(domain.RoleOfficer) && !a.Has(domain.RoleChairman) {
		return nil
	}
	el, err := c.app.Eligibility(r.Context(), a, v.ID)
	if err != nil {
		c.log.Warn("eligibility panel", "dossier", v.ID, "error", err)
		return nil
	}
	key := domain.NomineeKey(v.Nominee, v.Unit)
	p := &eligibilityPanel{E: el, Key: key, HistoryURL: "/registry/nominee?" + url.Values{"key": {key}}.Encode()}
	if a.Has(domain.RoleOfficer) && v.Status == domain.StatusActive {
		for _, f := range el.Findings {
			p.MayOverrule = p.MayOverrule || (!f.OK && !f.Hard)
		}
		if v.Nominee.Type == domain.Individual && v.Hold == nil {
			p.MayHold = true
			p.HoldURL = "/holds?" + url.Values{"key": {key}}.Encode()
		}
	}
	return p
}

// overrule records the officer's decision to proceed against the advice:
// POST /dossiers/{id}/eligibility/overrule, comment required.
func (c *Console) overrule(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	id := r.PathValue("id")
	_, err := c.app.OverruleEligibility(r.Context(), a, id, r.PostForm.Get("comment"), 0)
	if err != nil {
		if app.AsError(err).Kind == domain.ErrInvalid || app.AsError(err).Kind == domain.ErrConflict {
			msg, fields := app.Vietnamese(err)
			for i := range fields {
				if fields[i].Field == "comment" {
					fields[i].Field = "overrule-comment"
				}
			}
			v, gerr := c.app.Dossier(r.Context(), a, id)
			if gerr != nil {
				c.failPage(w, r, gerr)
				return
			}
			c.renderDossier(w, r, statusOf(err), v, msg, fields)
			return
		}
		c.failPage(w, r, err)
		return
	}
	c.flash(r, "Đã ghi ý kiến tiếp tục xử lý hồ sơ dù chưa đủ điều kiện; ý kiến được lưu trong lịch sử hồ sơ.")
	http.Redirect(w, r, "/dossiers/"+url.PathEscape(id)+"#dieu-kien", http.StatusSeeOther)
}

type holdsData struct {
	Items    []domain.Hold
	MaySet   bool
	Key      string
	Reason   string
	Nominees map[string]string
}

// holds is the holds page: GET /holds (officer, admin), with the form to
// set one (officer; ?key= fills it in from a dossier's page).
func (c *Console) holds(w http.ResponseWriter, r *http.Request) {
	c.renderHolds(w, r, http.StatusOK, r.URL.Query().Get("key"), "", "", nil)
}

func (c *Console) renderHolds(w http.ResponseWriter, r *http.Request, status int, key, reason, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	items, err := c.app.Holds(r.Context(), a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := holdsData{Items: items, MaySet: a.Has(domain.RoleOfficer), Key: key, Reason: reason}
	c.render(w, r, status, "holds", "Xem xét kỷ luật: tạm dừng khen thưởng", d, problem, errs)
}

// setHold: POST /holds (officer), person key and reason.
func (c *Console) setHold(w http.ResponseWriter, r *http.Request) {
	key, reason := strings.TrimSpace(r.PostForm.Get("person_key")), r.PostForm.Get("reason")
	h, err := c.app.SetHold(r.Context(), actorOf(r), key, reason)
	if err != nil {
		if app.AsError(err).Kind == domain.ErrInvalid {
			msg, fields := app.Vietnamese(err)
			c.renderHolds(w, r, statusOf(err), key, reason, msg, fields)
			return
		}
		c.failPage(w, r, err)
		return
	}
	c.flash(r, fmt.Sprintf("Đã ghi nhận xem xét kỷ luật đối với %s. Hồ sơ của người này không được quyết định khen thưởng cho đến khi gỡ.", personLabel(h.PersonKey)))
	http.Redirect(w, r, "/holds", http.StatusSeeOther)
}

// liftHold: POST /holds/lift (officer), the person key.
func (c *Console) liftHold(w http.ResponseWriter, r *http.Request) {
	key := r.PostForm.Get("person_key")
	if err := c.app.LiftHold(r.Context(), actorOf(r), key, r.PostForm.Get("reason")); err != nil {
		if k := app.AsError(err).Kind; k == domain.ErrInvalid || k == domain.ErrNotFound {
			msg, fields := app.Vietnamese(err)
			c.renderHolds(w, r, statusOf(err), "", "", msg, fields)
			return
		}
		c.failPage(w, r, err)
		return
	}
	c.flash(r, fmt.Sprintf("Đã gỡ ghi nhận xem xét kỷ luật đối với %s.", personLabel(key)))
	http.Redirect(w, r, "/holds", http.StatusSeeOther)
}

// personLabel says a registry key the way people read it: "lo thi huong,
// sinh 02/05/1984, SGDDT" or "CCCD 001084000123".
func personLabel(key string) string {
	if id, ok := strings.CutPrefix(key, "cccd:"); ok {
		return "CCCD " + id
	}
	if rest, ok := strings.CutPrefix(key, "p:"); ok {
		parts := strings.Split(rest, "|")
		if len(parts) == 3 {
			out := parts[0]
			if parts[1] != "" {
				out += ", sinh " + dateVN(parts[1])
			}
			return out + ", " + parts[2]
		}
	}
	if rest, ok := strings.CutPrefix(key, "t:"); ok {
		return "tập thể " + strings.ReplaceAll(rest, "|", " · ")
	}
	return key
}

type nomineeData struct {
	Key   string
	Label string
	Items []domain.RegistryEntry
	Hold  *domain.Hold
}

// nominee is a nominee's award history: GET /registry/nominee?key=… (who
// reads the registry; a unit its own unit's rows), oldest year first.
func (c *Console) nominee(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	key := r.URL.Query().Get("key")
	items, err := c.app.NomineeHistory(r.Context(), a, key)
	if err != nil {
		if app.AsError(err).Kind == domain.ErrInvalid {
			c.errorPage(w, r, http.StatusUnprocessableEntity, "Mã đối tượng không hợp lệ. Hãy mở lịch sử khen thưởng từ trang hồ sơ hoặc sổ khen thưởng.")
			return
		}
		c.failPage(w, r, err)
		return
	}
	d := nomineeData{Key: key, Label: personLabel(key), Items: items}
	if a.Has(domain.RoleOfficer) || a.Has(domain.RoleAdmin) {
		if hs, err := c.app.Holds(r.Context(), a); err == nil {
			for i := range hs {
				if hs[i].PersonKey == key {
					d.Hold = &hs[i]
				}
			}
		}
	}
	title := "Lịch sử khen thưởng"
	if len(items) > 0 {
		title = "Lịch sử khen thưởng: " + items[len(items)-1].Name
	}
	c.render(w, r, http.StatusOK, "nominee", title, d, "", nil)
}
