package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")

// A province award without council, end to end over HTTP: submit, upload
// the required documents, accept, approve, decide; the history tells it all.
func TestProvinceAwardOverHTTP(t *testing.T) {
	a := newAPI(t)
	d := a.bareSubmit("BK_UBND_TINH", "individual", "Lò Văn A")
	id := d["id"].(string)
	require.Regexp(t, `^HS-\d{4}-\d{6}$`, id)
	require.Equal(t, "reception", d["stage"])
	require.ElementsMatch(t, []string{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"}, strs(d["missing_documents"]))
	require.ElementsMatch(t, []string{"withdraw"}, strs(d["allowed_actions"]))

	// Incomplete: the officer may return or reject it, not accept it.
	off := a.get(id, "officer")
	require.ElementsMatch(t, []string{"return", "reject"}, strs(off.body["allowed_actions"]))

	up := a.upload(id, "unitA", "to_trinh", "Tờ trình số 1.pdf", pdf)
	require.Equal(t, http.StatusCreated, up.status, string(up.raw))
	docID := up.body["id"].(string)
	require.Equal(t, "application/pdf", up.body["content_type"])
	require.Len(t, up.body["sha256"], 64)
	require.Equal(t, http.StatusNotFound, a.upload(id, "unitB", "to_trinh", "x.pdf", pdf).status)
	require.Equal(t, http.StatusUnsupportedMediaType, a.upload(id, "unitA", "khac", "script.pdf", []byte("#!/bin/sh\necho hi\n")).status)
	g := a.get(id, "unitA")
	require.ElementsMatch(t, []string{"bao_cao_thanh_tich", "bien_ban_hop"}, strs(g.body["missing_documents"]))
	dl := a.do("GET", "/api/v1/dossiers/"+id+"/documents/"+docID, "officer", nil, nil)
	require.Equal(t, http.StatusOK, dl.status)
	require.Equal(t, pdf, dl.raw)
	require.Equal(t, http.StatusNotFound, a.do("GET", "/api/v1/dossiers/"+id+"/documents/"+docID, "unitB", nil, nil).status)

	// Accept is refused while a required kind is missing, naming the kinds.
	inc := a.do("POST", "/api/v1/dossiers/"+id+"/actions/accept", "officer", map[string]any{}, nil)
	require.Equal(t, http.StatusConflict, inc.status, string(inc.raw))
	require.ElementsMatch(t, []any{"bao_cao_thanh_tich", "bien_ban_hop"}, inc.body["missing_documents"])
	require.Contains(t, inc.body["detail"], "bien_ban_hop")
	vi := a.do("POST", "/api/v1/dossiers/"+id+"/actions/accept", "officer", map[string]any{}, map[string]string{"Accept-Language": "vi"})
	require.Contains(t, vi.body["detail"], "Biên bản họp xét khen thưởng")
	require.Equal(t, g.body["version"], a.get(id, "admin").body["version"], "a refused accept changed the dossier")
	for _, k := range []string{"bao_cao_thanh_tich", "bien_ban_hop"} {
		require.Equal(t, http.StatusCreated, a.upload(id, "unitA", k, k+".pdf", pdf).status)
	}
	g = a.get(id, "unitA")
	require.Empty(t, g.body["missing_documents"])

	v := fmt.Sprint(g.body["version"])
	stale := a.do("POST", "/api/v1/dossiers/"+id+"/actions/accept", "officer", map[string]any{}, map[string]string{"If-Match": `"999"`})
	require.Equal(t, http.StatusPreconditionFailed, stale.status, string(stale.raw))
	ok := a.do("POST", "/api/v1/dossiers/"+id+"/actions/accept", "officer", map[string]any{"comment": "đủ hồ sơ"}, map[string]string{"If-Match": `"` + v + `"`})
	require.Equal(t, http.StatusOK, ok.status, string(ok.raw))
	require.Equal(t, http.StatusConflict, a.upload(id, "unitA", "bien_ban_hop", "bb.pdf", pdf).status)
	a.act(id, "approve", "officer", nil, "decision")
	wrong := a.do("POST", "/api/v1/dossiers/"+id+"/actions/propose", "chairman", map[string]any{}, nil)
	require.Equal(t, http.StatusConflict, wrong.status)
	require.Contains(t, wrong.body["detail"], "decision")
	done := a.act(id, "decide", "chairman", nil, "awarded")
	require.Equal(t, "awarded", done["status"])
	dec := done["decision"].(map[string]any)
	require.Regexp(t, `^\d+/QĐ-UBND$`, dec["number"])
	require.Empty(t, done["allowed_actions"])

	h := a.history(id)
	var actions []string
	for i, e := range h {
		require.EqualValues(t, i+1, e["seq"])
		actions = append(actions, e["action"].(string))
	}
	require.Equal(t, []string{"submit", "attach_document", "attach_document", "attach_document", "accept", "approve", "decide"}, actions)
	require.Equal(t, "đủ hồ sơ", h[4]["comment"])
	require.Equal(t, "officer", h[4]["actor_role"])
}

// A PM award through a council vote: the running tally stays secret, a
// second vote is refused, and the member's inbox drops the dossier.
func TestCouncilVoteOverHTTP(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_TTG", "collective", "Trường THPT Phong Thổ")["id"].(string)
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	inbox := func(who string) []string {
		r := a.do("GET", "/api/v1/tasks", who, nil, nil)
		require.Equal(t, http.StatusOK, r.status)
		var ids []string
		for _, it := range r.body["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		return ids
	}
	require.Contains(t, inbox("c1"), id)
	for i := 1; i <= 6; i++ {
		r := a.act(id, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": i <= 5}, "council")
		votes := r["votes"].(map[string]any)
		require.EqualValues(t, i, votes["cast"])
		require.Nil(t, votes["yes"])
		require.Nil(t, votes["no"])
	}
	require.NotContains(t, inbox("c1"), id)
	require.Contains(t, inbox("c7"), id)
	second := a.do("POST", "/api/v1/dossiers/"+id+"/actions/vote", "c1", map[string]any{"approve": false}, nil)
	require.Equal(t, http.StatusConflict, second.status)
	bad := a.do("POST", "/api/v1/dossiers/"+id+"/actions/vote", "c7", map[string]any{}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, bad.status)
	require.Equal(t, "approve", bad.body["errors"].([]any)[0].(map[string]any)["field"])
	closed := a.act(id, "close_vote", "secretary", nil, "decision")
	require.EqualValues(t, 5, closed["votes"].(map[string]any)["yes"])
	for _, e := range a.history(id) {
		if e["action"] == "vote" {
			require.Empty(t, e["actor_id"])
			require.NotContains(t, fmt.Sprint(e), "c1")
		}
	}
	a.act(id, "propose", "chairman", nil, "central_appraisal")
	a.act(id, "accept", "officer", nil, "pm_decision")
	miss := a.do("POST", "/api/v1/dossiers/"+id+"/actions/decide", "officer", map[string]any{}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, miss.status)
	a.act(id, "decide", "officer", map[string]any{"number": "123/QĐ-TTg", "date": "2026-04-01"}, "awarded")
}

// Ten concurrent approvals of one dossier: exactly one wins, the others get
// 409 or 412, and the history shows one approval.
func TestTenConcurrentApprovals(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_UBND_TINH", "individual", "Đặng Thị B")["id"].(string)
	d := a.act(id, "accept", "officer", nil, "appraisal")
	version := fmt.Sprint(d["version"])
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			hdr := map[string]string{}
			if i%2 == 0 {
				hdr["If-Match"] = `"` + version + `"`
			}
			statuses[i] = a.do("POST", "/api/v1/dossiers/"+id+"/actions/approve", "officer", map[string]any{}, hdr).status
		}(i)
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			won++
		case http.StatusConflict, http.StatusPreconditionFailed:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	require.Equal(t, 1, won, "statuses %v", statuses)
	n := 0
	for _, e := range a.history(id) {
		if e["action"] == "approve" {
			n++
		}
	}
	require.Equal(t, 1, n)
}

// The authorization matrix over HTTP: in every stage a BK_TTG dossier passes
// through, every person tries every action. What allowed_actions does not
// offer is refused with the right status and changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_TTG", "individual", "Nguyễn Văn C")["id"].(string)
	people := []string{"unitA", "unitB", "officer", "c1", "secretary", "chairman", "admin"}
	actions := []string{"accept", "return", "reject", "resubmit", "withdraw", "approve", "vote", "close_vote", "decide", "propose", "decline", "cancel", "written_opinion"}
	mayEver := map[string][]string{
		"unitA": {"resubmit", "withdraw"}, "unitB": {"resubmit", "withdraw"},
		"officer": {"accept", "return", "reject", "approve", "decide", "propose", "decline"},
		"c1":      {"vote"}, "secretary": {"close_vote", "written_opinion"},
		"chairman": {"return", "reject", "decide", "propose"}, "admin": {"cancel"},
	}
	body := map[string]any{"comment": "thử", "approve": true, "number": "1/QĐ-TTg", "date": "2026-01-02", "member": "c9"}
	check := func(stage string) {
		before := a.get(id, "admin")
		require.Equal(t, stage, before.body["stage"])
		hist := len(a.history(id))
		// What someone may do in this stage: the union of everyone's
		// allowed_actions.
		allowedTo := map[string]map[string]bool{}
		someone := map[string]bool{}
		for _, who := range people {
			g := a.get(id, who)
			if who == "unitB" {
				require.Equal(t, http.StatusNotFound, g.status)
			}
			allowedTo[who] = map[string]bool{}
			if g.status == http.StatusOK {
				for _, x := range strs(g.body["allowed_actions"]) {
					allowedTo[who][x], someone[x] = true, true
				}
			}
		}
		for _, who := range people {
			allowed := allowedTo[who]
			for _, act := range actions {
				if allowed[act] {
					continue
				}
				r := a.do("POST", "/api/v1/dossiers/"+id+"/actions/"+act, who, body, nil)
				ever := false
				for _, x := range mayEver[who] {
					ever = ever || x == act
				}
				switch {
				case who == "unitB":
					// Another unit learns nothing, not even that the dossier exists.
					require.Equal(t, http.StatusNotFound, r.status, "%s %s in %s", who, act, stage)
				case !ever:
					require.Equal(t, http.StatusForbidden, r.status, "%s %s in %s: %s", who, act, stage, r.raw)
				case someone[act]:
					// API.md: the action is taken in this stage, by someone
					// else: 403, not 409.
					require.Equal(t, http.StatusForbidden, r.status, "%s %s in %s: %s", who, act, stage, r.raw)
				default:
					require.Contains(t, []int{http.StatusConflict, http.StatusUnprocessableEntity}, r.status, "%s %s in %s: %s", who, act, stage, r.raw)
				}
			}
		}
		after := a.get(id, "admin")
		require.Equal(t, before.body["version"], after.body["version"], "a refusal changed the dossier in %s", stage)
		require.Len(t, a.history(id), hist, "a refusal wrote history in %s", stage)
	}
	check("reception")
	a.act(id, "return", "officer", map[string]any{"comment": "thiếu", "missing": []string{"bien_ban_hop"}}, "supplement")
	check("supplement")
	a.act(id, "resubmit", "unitA", nil, "reception")
	a.act(id, "accept", "officer", nil, "appraisal")
	check("appraisal")
	a.act(id, "approve", "officer", nil, "council")
	check("council")
	for i := 1; i <= 6; i++ {
		a.act(id, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": true}, "council")
	}
	a.act(id, "close_vote", "secretary", nil, "decision")
	check("decision")
	a.act(id, "propose", "chairman", nil, "central_appraisal")
	check("central_appraisal")
	a.act(id, "accept", "officer", nil, "pm_decision")
	check("pm_decision")
	a.act(id, "decline", "officer", map[string]any{"comment": "chưa đủ tiêu chuẩn"}, "rejected")
	check("rejected")
}

// Unit scoping and list filters: another unit never sees a dossier; the
// text search ignores Vietnamese diacritics.
func TestScopingAndSearch(t *testing.T) {
	a := newAPI(t)
	id := a.submit("CSTD_TINH", "individual", "Lò Văn Quyết")["id"].(string)
	require.Equal(t, http.StatusNotFound, a.get(id, "unitB").status)
	require.Equal(t, http.StatusNotFound, a.do("GET", "/api/v1/dossiers/"+id+"/history", "unitB", nil, nil).status)
	for _, who := range []string{"unitB"} {
		r := a.do("GET", "/api/v1/dossiers?unit=SGDDT", who, nil, nil)
		require.Equal(t, http.StatusOK, r.status)
		for _, it := range r.body["items"].([]any) {
			require.NotEqual(t, "SGDDT", it.(map[string]any)["unit"])
		}
	}
	for _, q := range []string{"lo van quyet", "LÒ VĂN", "quyết"} {
		r := a.do("GET", "/api/v1/dossiers?q="+strings.ReplaceAll(q, " ", "+"), "officer", nil, nil)
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		found := false
		for _, it := range r.body["items"].([]any) {
			found = found || it.(map[string]any)["id"] == id
		}
		require.True(t, found, "q=%s did not find the dossier", q)
	}
	r := a.do("GET", "/api/v1/dossiers?limit=0", "officer", nil, nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Equal(t, "limit", r.body["errors"].([]any)[0].(map[string]any)["field"])
	require.Equal(t, http.StatusUnauthorized, a.do("GET", "/api/v1/dossiers", "", nil, nil).status)
	require.Equal(t, http.StatusForbidden, a.do("POST", "/api/v1/dossiers", "officer", map[string]any{}, nil).status)
	idem := map[string]string{"Idempotency-Key": "e2e-key-" + id}
	body := map[string]any{"award_code": "TTLDXS", "kind": "merit", "achievement_period": "2026", "nominee": map[string]any{"type": "collective", "name": "Tổ Toán"}}
	first := a.do("POST", "/api/v1/dossiers", "unitA", body, idem)
	again := a.do("POST", "/api/v1/dossiers", "unitA", body, idem)
	require.Equal(t, http.StatusCreated, first.status, string(first.raw))
	require.Contains(t, []int{http.StatusOK, http.StatusCreated}, again.status)
	require.Equal(t, first.body["id"], again.body["id"])
}

// An upload repeated with its Idempotency-Key (a client that lost the
// answer) is attached once, on the real stack: Temporal runs the update id
// derived from the key once, and the repeat answers 200 with the first
// document; the same key with another file is 422 and changes nothing.
func TestUploadRepeatedWithItsKey(t *testing.T) {
	a := newAPI(t)
	id := a.bareSubmit("BK_UBND_TINH", "individual", "Lò Văn Tải Lại")["id"].(string)
	first := a.uploadKeyed(id, "unitA", "to_trinh", "Tờ trình.pdf", pdf, "tai-len-1")
	require.Equal(t, http.StatusCreated, first.status, string(first.raw))
	again := a.uploadKeyed(id, "unitA", "to_trinh", "Tờ trình.pdf", pdf, "tai-len-1")
	require.Equal(t, http.StatusOK, again.status, string(again.raw))
	require.Equal(t, first.body["id"], again.body["id"])
	other := a.uploadKeyed(id, "unitA", "to_trinh", "Khác.pdf", append([]byte(nil), append(pdf, '\n')...), "tai-len-1")
	require.Equal(t, http.StatusUnprocessableEntity, other.status, string(other.raw))
	g := a.get(id, "unitA")
	require.Len(t, g.body["documents"], 1)
	require.EqualValues(t, 2, g.body["version"], "one attachment in the history")
	h := a.do("GET", "/api/v1/dossiers/"+id+"/history", "unitA", nil, nil)
	require.Len(t, h.body["items"], 2)
}
