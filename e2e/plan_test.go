package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"tdkt/app"
	"tdkt/domain"
)

// planCampaign creates a campaign over HTTP whose window runs from
// `from` to `to` days after today (Vietnam), covering awards.
func (a *api) planCampaign(prefix, name string, from, to int, awards ...string) map[string]any {
	a.t.Helper()
	today := time.Now().In(domain.Local)
	opens, closes := today.AddDate(0, 0, from), today.AddDate(0, 0, to)
	code := prefix + "-" + strings.ToLower(rand.Text()[:8])
	r := a.do("POST", "/api/v1/campaigns", "officer", map[string]any{"code": code, "name": name, "year": opens.Year(),
		"kind": "thematic", "opens": opens.Format(time.DateOnly), "closes": closes.Format(time.DateOnly), "awards": awards}, nil)
	require.Equal(a.t, http.StatusCreated, r.status, string(r.raw))
	require.Equal(a.t, "/api/v1/campaigns/"+code, r.header.Get("Location"))
	return r.body
}

func (a *api) submitTo(campaign, award, name string) reply {
	a.t.Helper()
	nominee := "individual"
	if award == "TTLDXS" || award == "CO_THI_DUA_TINH" {
		nominee = "collective"
	}
	return a.do("POST", "/api/v1/dossiers", "unitA", map[string]any{"award_code": award, "kind": "campaign", "campaign": campaign,
		"achievement_period": "2026", "nominee": map[string]any{"type": nominee, "name": name}}, map[string]string{"Accept-Language": "vi"})
}

func fieldNames(r reply) []string {
	var out []string
	for _, e := range r.body["errors"].([]any) {
		out = append(out, e.(map[string]any)["field"].(string))
	}
	return out
}

// Campaigns over HTTP on the real stack: the officer creates them (a bad
// one names each field, a code twice is 409, another role 403), everyone
// lists and reads them; a submission after a campaign closed, or for an
// award it does not cover, is 422 naming the field and creates nothing;
// one in the window is taken. This stack does not enforce campaigns, so
// a code the plan does not hold is still taken, as before.
func TestCampaignsOverHTTP(t *testing.T) {
	a := newAPI(t)
	bad := a.do("POST", "/api/v1/campaigns", "officer", map[string]any{"code": "có dấu", "name": "", "year": 1990,
		"kind": "yearly", "opens": "2026-13-01", "closes": "x", "awards": []string{"NOPE"}}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, bad.status, string(bad.raw))
	require.ElementsMatch(t, []string{"code", "name", "year", "kind", "opens", "closes", "awards"}, fieldNames(bad))
	require.Equal(t, http.StatusForbidden, a.do("POST", "/api/v1/campaigns", "unitA", map[string]any{"code": "x"}, nil).status)

	open := a.planCampaign("e2e-open", "Khen thưởng chuyên đề đang mở", -3, 10, "BK_UBND_TINH", "TTLDXS")
	code := open["code"].(string)
	again := a.do("POST", "/api/v1/campaigns", "officer", open, nil)
	require.Equal(t, http.StatusConflict, again.status, string(again.raw))
	closed := a.planCampaign("e2e-closed", "Khen thưởng chuyên đề đã hết hạn", -30, -1, "BK_UBND_TINH")

	got := a.do("GET", "/api/v1/campaigns/"+code, "unitB", nil, nil)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, open, got.body)
	require.Equal(t, http.StatusNotFound, a.do("GET", "/api/v1/campaigns/e2e-none", "unitB", nil, nil).status)
	list := a.do("GET", "/api/v1/campaigns?kind=thematic&year="+open["opens"].(string)[:4], "c1", nil, nil)
	require.Equal(t, http.StatusOK, list.status, string(list.raw))
	var codes []string
	for _, it := range list.body["items"].([]any) {
		codes = append(codes, it.(map[string]any)["code"].(string))
	}
	require.Contains(t, codes, code)
	require.Equal(t, http.StatusUnprocessableEntity, a.do("GET", "/api/v1/campaigns?kind=yearly", "c1", nil, nil).status)

	first := a.submitTo(code, "BK_UBND_TINH", "Lò Văn Nộp Đúng Hạn")
	require.Equal(t, http.StatusCreated, first.status, string(first.raw))
	before := a.do("GET", "/api/v1/dossiers?campaign="+closed["code"].(string), "admin", nil, nil)
	late := a.submitTo(closed["code"].(string), "BK_UBND_TINH", "Lò Văn Nộp Muộn")
	require.Equal(t, http.StatusUnprocessableEntity, late.status, string(late.raw))
	require.Equal(t, []string{"campaign"}, fieldNames(late))
	require.Contains(t, late.body["detail"], "chỉ nhận hồ sơ từ ngày", "Vietnamese for people")
	uncovered := a.submitTo(code, "CSTD_TINH", "Lò Văn Không Thuộc Đợt")
	require.Equal(t, http.StatusUnprocessableEntity, uncovered.status, string(uncovered.raw))
	require.Equal(t, []string{"award_code"}, fieldNames(uncovered))
	after := a.do("GET", "/api/v1/dossiers?campaign="+closed["code"].(string), "admin", nil, nil)
	require.Equal(t, before.body["items"], after.body["items"], "a refused submission created nothing")

	ok := a.submitTo(code, "TTLDXS", "Trường Tiểu học Trong Đợt")
	require.Equal(t, http.StatusCreated, ok.status, string(ok.raw))
	require.Equal(t, code, ok.body["campaign"])
	// The refused ones took no dossier number: this one follows the first.
	var y, n1, n2 int
	_, err := fmt.Sscanf(first.body["id"].(string), "HS-%d-%d", &y, &n1)
	require.NoError(t, err)
	_, err = fmt.Sscanf(ok.body["id"].(string), "HS-%d-%d", &y, &n2)
	require.NoError(t, err)
	require.Equal(t, n1+1, n2, "%s then %s", first.body["id"], ok.body["id"])
	free := a.submitTo("e2e-free-text", "BK_UBND_TINH", "Lò Văn Mã Tự Do")
	require.Equal(t, http.StatusCreated, free.status, "a code the plan does not hold, campaigns not enforced: %s", free.raw)
}

// The yearly summary over HTTP: counts of a campaign's dossiers (awarded,
// rejected, returned, withdrawn) and the working days of their stages, as
// JSON, as CSV and as an XLSX read back; a unit may not read it.
func TestReportsOverHTTP(t *testing.T) {
	a := newAPI(t)
	c := a.planCampaign("e2e-report", "Đợt cho báo cáo", -1, 5, "BK_UBND_TINH")
	code := c["code"].(string)
	var ids []string
	for _, n := range []string{"Lò Văn Một", "Lò Văn Hai", "Lò Văn Ba", "Lò Văn Bốn"} {
		r := a.submitTo(code, "BK_UBND_TINH", n)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
		id := r.body["id"].(string)
		for _, k := range []string{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"} {
			require.Equal(t, http.StatusCreated, a.upload(id, "unitA", k, k+".pdf", []byte("%PDF-1.7 "+k)).status)
		}
		ids = append(ids, id)
	}
	a.act(ids[0], "accept", "officer", nil, "appraisal")
	a.act(ids[0], "approve", "officer", nil, "decision")
	a.act(ids[0], "decide", "chairman", nil, "awarded")
	a.act(ids[1], "accept", "officer", nil, "appraisal")
	a.act(ids[1], "return", "officer", map[string]any{"comment": "Bổ sung"}, "supplement")
	a.act(ids[1], "resubmit", "unitA", nil, "appraisal")
	a.act(ids[1], "reject", "officer", map[string]any{"comment": "Không đạt"}, "rejected")
	a.act(ids[2], "withdraw", "unitA", nil, "withdrawn")

	year := c["opens"].(string)[:4]
	q := "/api/v1/reports/summary?year=" + year + "&campaign=" + code
	require.Equal(t, http.StatusForbidden, a.do("GET", q, "unitA", nil, nil).status)
	require.Equal(t, http.StatusUnprocessableEntity, a.do("GET", "/api/v1/reports/summary", "officer", nil, nil).status, "year is required")
	j := a.do("GET", q, "chairman", nil, nil)
	require.Equal(t, http.StatusOK, j.status, string(j.raw))
	tot := j.body["totals"].(map[string]any)
	want := map[string]float64{"submitted": 4, "active": 1, "awarded": 1, "rejected": 1, "returned": 1, "withdrawn": 1, "cancelled": 0, "overdue": 0}
	for k, v := range want {
		require.Equal(t, v, tot[k], k)
	}
	stays := map[string]float64{}
	for _, s := range tot["stages"].([]any) {
		m := s.(map[string]any)
		stays[m["stage"].(string)] = m["stays"].(float64)
		if m["stays"].(float64) > 0 {
			require.Equal(t, 0.0, m["median_days"], "all on one day: %v", m)
		}
	}
	// Stays that ended: reception 3 (two accepted, one withdrawn; the
	// fourth is still there), appraisal 3 (approve, return, reject after
	// the resubmission), supplement 1, decision 1.
	require.Equal(t, map[string]float64{"reception": 3, "appraisal": 3, "supplement": 1, "decision": 1}, nonZero(stays))

	cr := a.do("GET", q, "admin", nil, map[string]string{"Accept": "text/csv"})
	require.Equal(t, http.StatusOK, cr.status)
	require.Contains(t, cr.header.Get("Content-Type"), "text/csv")
	recs, err := csv.NewReader(bytes.NewReader(cr.raw)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"total", code, "", "", "4", "1", "1", "1", "1", "1", "0", "0"}, recs[1][:12])

	xr := a.do("GET", q, "officer", nil, map[string]string{"Accept": app.XLSXType})
	require.Equal(t, http.StatusOK, xr.status)
	require.Equal(t, app.XLSXType, xr.header.Get("Content-Type"))
	require.Contains(t, xr.header.Get("Content-Disposition"), ".xlsx")
	wb, err := excelize.OpenReader(bytes.NewReader(xr.raw))
	require.NoError(t, err)
	rows, err := wb.GetRows("Tổng hợp")
	require.NoError(t, err)
	require.Equal(t, "Đã nộp", rows[2][4])
	require.Equal(t, []string{"Tổng cộng", code, "", "", "4", "1", "1", "1", "1", "1", "0", "0"}, rows[3][:12])
	v, err := wb.GetCellValue("Tổng hợp", "E4")
	require.NoError(t, err)
	require.Equal(t, "4", v)
}

func nonZero(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}
