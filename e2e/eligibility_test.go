package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/app"
	"tdkt/devenv"
	"tdkt/domain"
)

// coSoYears is a workbook of a unit's Chiến sĩ thi đua cơ sở decisions:
// one row per person and year, in the template's columns.
func coSoYears(t *testing.T, people map[string][2]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	var head []any
	for _, c := range app.RegistryColumns {
		head = append(head, c.Header)
	}
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &head))
	n := 2
	for _, name := range sortedKeys(people) {
		p := people[name]
		for _, y := range p[1].([]int) {
			row := []any{"Cá nhân", name, p[0], "", "SGDDT", "CSTD_CO_SO", y, "Công trạng",
				fmt.Sprintf("%d/QĐ-SGDĐT", 300+y%100+n), fmt.Sprintf("22/12/%d", y)}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			require.NoError(t, f.SetSheetRow("Sheet1", cell, &row))
			n++
		}
	}
	var b bytes.Buffer
	require.NoError(t, f.Write(&b))
	return b.Bytes()
}

// propose has unitA submit award for a person born on birth (YYYY-MM-DD),
// achievement period 2025, with every required document when docs; the
// reply as it came.
func (a *api) propose(award, name, birth string, docs bool) reply {
	a.t.Helper()
	r := a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{
		"award_code": award, "kind": "merit", "achievement_period": "2025",
		"nominee": map[string]any{"type": "individual", "name": name, "birth_date": birth, "position": "Giáo viên"},
		"summary": "Hoàn thành xuất sắc nhiệm vụ năm 2025"}, map[string]string{"Accept-Language": "vi"})
	if r.status != http.StatusCreated || !docs {
		return r
	}
	id := r.body["id"].(string)
	aw, _ := domain.AwardByCode(award)
	for _, k := range domain.RequiredDocuments(aw, domain.ProcedureRegular) {
		up := a.upload(id, "unitA", string(k), string(k)+".pdf", []byte("%PDF-1.7 "+string(k)))
		require.Equal(a.t, http.StatusCreated, up.status, string(up.raw))
	}
	return r
}

func finding(t *testing.T, el reply, code string) map[string]any {
	t.Helper()
	for _, f := range el.body["findings"].([]any) {
		m := f.(map[string]any)
		if m["rule"].(map[string]any)["code"] == code {
			return m
		}
	}
	t.Fatalf("no finding %s in %s", code, el.raw)
	return nil
}

func holdPath(key string) string { return "/api/v1/holds/" + url.PathEscape(key) }

// Eligibility over HTTP on the real stack (issue 13): three years of
// Chiến sĩ thi đua cơ sở imported for a person make their provincial
// title's findings ok with the three rows as evidence; a person with a
// year missing is told which; the same nominee proposed again for the
// same award and period is 422 naming the nominee; a hold refuses a new
// proposal and keeps a running dossier from being decided until it is
// lifted; the officer overrules advice with a comment in the history.
func TestEligibilityOverHTTP(t *testing.T) {
	a := newAPI(t)
	full, gap := "Điêu Thị Xuân Elh", "Hà Văn Tuấn Elh"
	imp := a.importFile("officer", "cstd-co-so.xlsx", coSoYears(t, map[string][2]any{
		full: {"08/03/1986", []int{2023, 2024, 2025}}, gap: {"19/11/1981", []int{2023, 2025}}}))
	require.Equal(t, http.StatusOK, imp.status, string(imp.raw))
	require.EqualValues(t, 5, imp.body["imported"])

	ok := a.propose("CSTD_TINH", full, "1986-03-08", false)
	require.Equal(t, http.StatusCreated, ok.status, string(ok.raw))
	okID := ok.body["id"].(string)
	el := a.do("GET", "/api/v1/dossiers/"+okID+"/eligibility", "officer", nil, nil)
	require.Equal(t, http.StatusOK, el.status, string(el.raw))
	require.Equal(t, false, el.body["hard"])
	pre := finding(t, el, "prerequisite")
	require.Equal(t, true, pre["ok"], "%v", pre)
	require.Contains(t, pre["rule"].(map[string]any)["name"], "Chiến sĩ thi đua cơ sở")
	ev := pre["evidence"].([]any)
	require.Len(t, ev, 3)
	for i, y := range []int{2023, 2024, 2025} {
		e := ev[i].(map[string]any)
		require.EqualValues(t, y, e["year"])
		require.Equal(t, "CSTD_CO_SO", e["award_code"])
		require.Equal(t, "SGDDT", e["unit"])
		require.NotZero(t, e["registry_id"])
		require.Regexp(t, `^\d+/QĐ-SGDĐT$`, e["decision_number"])
		require.Equal(t, fmt.Sprintf("%d-12-22", y), e["decision_date"])
	}
	require.Equal(t, true, finding(t, el, "duplicate_proposal")["ok"])
	require.Equal(t, true, finding(t, el, "hold")["ok"])
	// Whoever sees the dossier sees the findings; another unit does not.
	require.Equal(t, http.StatusOK, a.do("GET", "/api/v1/dossiers/"+okID+"/eligibility", "unitA", nil, nil).status)
	require.Equal(t, http.StatusOK, a.do("GET", "/api/v1/dossiers/"+okID+"/eligibility", "chairman", nil, nil).status)
	require.Equal(t, http.StatusNotFound, a.do("GET", "/api/v1/dossiers/"+okID+"/eligibility", "unitB", nil, nil).status)

	// A year missing: named.
	miss := a.propose("CSTD_TINH", gap, "1981-11-19", false)
	require.Equal(t, http.StatusCreated, miss.status, string(miss.raw))
	missID := miss.body["id"].(string)
	el = a.do("GET", "/api/v1/dossiers/"+missID+"/eligibility", "officer", nil, nil)
	pre = finding(t, el, "prerequisite")
	require.Equal(t, false, pre["ok"])
	require.Equal(t, []any{float64(2024)}, pre["missing_years"])
	require.Contains(t, pre["message"], "2024")
	require.Len(t, pre["evidence"], 2)
	require.Equal(t, false, el.body["hard"], "advice, not a refusal")

	// The same nominee again, typed in capitals: 422 naming the nominee,
	// and the first dossier named in Vietnamese.
	dup := a.propose("CSTD_TINH", strings.ToUpper(full), "1986-03-08", false)
	require.Equal(t, http.StatusUnprocessableEntity, dup.status, string(dup.raw))
	fe := dup.body["errors"].([]any)[0].(map[string]any)
	require.Equal(t, "nominee", fe["field"])
	require.Contains(t, fe["message"], okID)
	require.Contains(t, dup.body["detail"], "Chiến sĩ thi đua cấp tỉnh")

	// The officer overrules the advice on the dossier with a missing year:
	// a comment is required; it lands in the history; nothing to overrule
	// on a dossier that meets every rule.
	over := "/api/v1/dossiers/" + missID + "/eligibility/overrule"
	require.Equal(t, http.StatusForbidden, a.do("POST", over, "chairman", map[string]any{"comment": "x"}, nil).status)
	bad := a.do("POST", over, "officer", map[string]any{"comment": " "}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, bad.status)
	require.Equal(t, "comment", bad.body["errors"].([]any)[0].(map[string]any)["field"])
	reason := "Quyết định CSTD cơ sở năm 2024 (số 77/QĐ-SGDĐT) có bản giấy, chưa nhập sổ"
	done := a.do("POST", over, "officer", map[string]any{"comment": reason}, nil)
	require.Equal(t, http.StatusOK, done.status, string(done.raw))
	require.Equal(t, "reception", done.body["stage"])
	h := a.history(missID)
	last := h[len(h)-1]
	require.Equal(t, "overrule_eligibility", last["action"])
	require.Equal(t, reason, last["comment"])
	require.Equal(t, "officer", last["actor_role"])
	require.Equal(t, http.StatusConflict, a.do("POST", "/api/v1/dossiers/"+okID+"/eligibility/overrule", "officer", map[string]any{"comment": "x"}, nil).status)

	// A hold: a running dossier of the person is taken to the chairman first.
	held := "Lường Văn Khải Elh"
	run := a.propose("BK_UBND_TINH", held, "1979-06-01", true)
	require.Equal(t, http.StatusCreated, run.status, string(run.raw))
	runID := run.body["id"].(string)
	a.act(runID, "accept", "officer", nil, "appraisal")
	a.act(runID, "approve", "officer", nil, "decision")
	key := domain.PersonKey(held, mustDate("1979-06-01"), "SGDDT", "")
	require.Equal(t, http.StatusForbidden, a.do("PUT", holdPath(key), "unitA", map[string]any{"reason": "x"}, nil).status)
	notKey := a.do("PUT", holdPath("Lường Văn Khải"), "officer", map[string]any{"reason": "x"}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, notKey.status, "a name is not a registry key")
	require.Equal(t, "person_key", notKey.body["errors"].([]any)[0].(map[string]any)["field"])
	noReason := a.do("PUT", holdPath(key), "officer", map[string]any{"reason": ""}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, noReason.status)
	require.Equal(t, "reason", noReason.body["errors"].([]any)[0].(map[string]any)["field"])
	why := "Đang xem xét kỷ luật theo kết luận thanh tra số 12/KL-TTr"
	set := a.do("PUT", holdPath(key), "officer", map[string]any{"reason": why}, nil)
	require.Equal(t, http.StatusOK, set.status, string(set.raw))
	require.Equal(t, key, set.body["person_key"])
	list := a.do("GET", "/api/v1/holds", "admin", nil, nil)
	require.Equal(t, http.StatusOK, list.status)
	require.Contains(t, string(list.raw), why)
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/holds", "unitA", nil, nil).status)

	refused := a.propose("CSTD_TINH", held, "1979-06-01", false)
	require.Equal(t, http.StatusUnprocessableEntity, refused.status, string(refused.raw))
	require.Equal(t, "nominee", refused.body["errors"].([]any)[0].(map[string]any)["field"])
	require.Contains(t, refused.body["detail"], "xem xét kỷ luật")

	g := a.get(runID, "chairman")
	require.Equal(t, why, g.body["hold"].(map[string]any)["reason"], "the running dossier shows the hold")
	require.NotContains(t, strs(g.body["allowed_actions"]), "decide", "not offered while held")
	inList := a.listed("chairman", runID)
	require.Equal(t, why, inList["hold"].(map[string]any)["reason"], "the chairman's task list shows the hold")
	require.NotContains(t, strs(inList["allowed_actions"]), "decide", "not offered in the list either")
	stuck := a.do("POST", "/api/v1/dossiers/"+runID+"/actions/decide", "chairman", map[string]any{}, map[string]string{"Accept-Language": "vi"})
	require.Equal(t, http.StatusConflict, stuck.status, string(stuck.raw))
	require.Contains(t, stuck.body["detail"], "đang bị xem xét kỷ luật")
	require.Equal(t, "decision", a.get(runID, "chairman").body["stage"], "nothing changed")

	require.Equal(t, http.StatusNoContent, a.do("DELETE", holdPath(key), "officer", nil, nil).status)
	require.Equal(t, http.StatusNotFound, a.do("DELETE", holdPath(key), "officer", nil, nil).status)
	require.Nil(t, a.get(runID, "chairman").body["hold"])
	a.act(runID, "decide", "chairman", nil, "awarded")
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The eligibility panel in the console (issue 13): the officer sees each
// rule with its evidence rows, linked to the registry filtered on the
// nominee, and a missing year; overrules the advice (a comment is
// required, the error summary links to it) and finds the comment in the
// history; sets a hold from the dossier page (a reason is required) and
// sees it on the dossier, then lifts it from the holds page. The chairman
// sees the panel too; a unit does not. The pages read on a 375 px phone.
func TestBrowserEligibility(t *testing.T) {
	a := newAPI(t)
	name := "Lò Thị Hương Ebr"
	imp := a.importFile("officer", "cstd-co-so.xlsx", coSoYears(t, map[string][2]any{name: {"02/05/1984", []int{2023, 2025}}}))
	require.Equal(t, http.StatusOK, imp.status, string(imp.raw))
	r := a.propose("CSTD_TINH", name, "1984-05-02", true)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	id := r.body["id"].(string)

	b := newTab(t, a)
	b.signIn("officer")
	b.open("/dossiers/"+id, http.StatusOK)
	panel := b.text("#ket-qua-dieu-kien")
	require.Contains(t, panel, "Chiến sĩ thi đua cơ sở» 3 năm liên tục (2023–2025)")
	require.Contains(t, panel, "Sổ khen thưởng không có «Chiến sĩ thi đua cơ sở» năm 2024.")
	require.Contains(t, panel, "Chưa đạt")
	require.Contains(t, panel, "/QĐ-SGDĐT, 22/12/2023")
	require.Contains(t, panel, "Không có ghi nhận đang xem xét kỷ luật.")
	href := b.eval(`document.querySelector('.tdkt-evidence a').getAttribute('href')`)
	require.Contains(t, href, "/registry?")
	require.Contains(t, href, "nominee=")
	require.Contains(t, href, "year=2023")

	require.Contains(t, b.text(".tdkt-evidence"), "Không có trong sổ")
	b.shot("25-eligibility")
	b.press("#ghi-bo-qua", http.StatusUnprocessableEntity)
	require.Equal(t, "#f-overrule-comment", b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	require.Contains(t, b.text(".govuk-error-summary"), "Ý kiến")
	b.do(chromedp.SendKeys(chromedp.ID("f-overrule-comment"), "Năm 2024 có quyết định bản giấy số 77/QĐ-SGDĐT, chưa nhập sổ."))
	b.press("#ghi-bo-qua", http.StatusOK)
	require.Contains(t, b.flash(), "Đã ghi ý kiến")
	require.Contains(t, b.text("#lich-su"), "Năm 2024 có quyết định bản giấy số 77/QĐ-SGDĐT")
	require.Contains(t, b.text("#lich-su"), "Tiếp tục xử lý dù chưa đủ điều kiện")

	// The evidence link: the registry on this nominee and year only.
	b.press(".tdkt-evidence a", http.StatusOK)
	require.Contains(t, b.text("#loc-doi-tuong"), "lo thi huong ebr")
	require.Contains(t, b.text("#so-khen-thuong"), name)
	require.NotContains(t, b.text("#so-khen-thuong"), "2025")
	// The nominee's award history, from the dossier page.
	b.open("/dossiers/"+id, http.StatusOK)
	b.press("#lich-su-khen-thuong", http.StatusOK)
	require.Contains(t, b.text("#lich-su-khen-thuong"), "2023")
	require.Contains(t, b.text("#lich-su-khen-thuong"), "2025")

	// A hold, set from the dossier page.
	b.open("/dossiers/"+id, http.StatusOK)
	b.press("#dat-tam-dung", http.StatusOK)
	require.Contains(t, b.text("#dat"), "lo thi huong ebr, sinh 02/05/1984, SGDDT")
	b.press("#ghi-nhan", http.StatusUnprocessableEntity)
	require.Equal(t, "#f-reason", b.eval(`document.querySelector('.govuk-error-summary__list a').getAttribute('href')`))
	b.do(chromedp.SendKeys(chromedp.ID("f-reason"), "Đang xem xét kỷ luật theo đơn tố cáo ngày 10/11/2026"))
	b.press("#ghi-nhan", http.StatusOK)
	require.Contains(t, b.flash(), "Đã ghi nhận xem xét kỷ luật")
	require.Contains(t, b.text("#tam-dung"), "Đang xem xét kỷ luật theo đơn tố cáo")
	b.open("/dossiers/"+id, http.StatusOK)
	require.Contains(t, b.text("#tam-dung"), "Hồ sơ không được quyết định khen thưởng")
	require.Contains(t, b.text("#ket-qua-dieu-kien"), "Không được đề nghị")

	b.signIn("chairman")
	b.open("/dossiers/"+id, http.StatusOK)
	require.Contains(t, b.text("#tam-dung"), "xem xét kỷ luật")
	require.Contains(t, b.text("#ket-qua-dieu-kien"), "2023–2025")
	require.Equal(t, "0", b.eval(`String(document.querySelectorAll('#bo-qua').length)`), "the chairman does not overrule")
	b.signIn("unitA")
	b.open("/dossiers/"+id, http.StatusOK)
	require.Equal(t, "0", b.eval(`String(document.querySelectorAll('#ket-qua-dieu-kien').length)`), "a unit sees no panel")
	require.Contains(t, b.text("#tam-dung"), "xem xét kỷ luật")

	b.signIn("officer")
	ctx, cancel := b.timeout()
	require.NoError(t, devenv.Mobile(ctx))
	cancel()
	key := domain.PersonKey(name, mustDate("1984-05-02"), "SGDDT", "")
	for _, p := range []string{"/dossiers/" + id, "/holds", "/registry/nominee?key=" + url.QueryEscape(key)} {
		b.open(p, http.StatusOK)
		require.Equal(t, "375", b.eval(`String(document.documentElement.scrollWidth)`), "%s is wider than the phone", p)
	}
	b.open("/holds", http.StatusOK)
	b.press("#go-0", http.StatusOK)
	require.Contains(t, b.flash(), "Đã gỡ ghi nhận")
	require.Contains(t, b.text("main"), "Không có ai đang bị xem xét kỷ luật.")
}
