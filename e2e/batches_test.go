package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A decision batch over HTTP on the real stack (API.md, Wave 2): the
// officer drafts it from dossiers in decision (one in another stage and one
// in another draft are refused), edits it (a stale If-Match is 412), the
// chairman signs it once (the officer may not, a second sign is 409); one
// number for the batch, every dossier awarded carrying it, and one the
// chairman returned alone in between is dropped with its reason.
func TestDecisionBatchOverHTTP(t *testing.T) {
	a := newAPI(t)
	var ids []string
	for i := range 3 {
		id := a.submit("BK_UBND_TINH", "individual", fmt.Sprintf("Lò Văn Danh Sách %d", i+1))["id"].(string)
		a.act(id, "accept", "officer", nil, "appraisal")
		a.act(id, "approve", "officer", nil, "decision")
		ids = append(ids, id)
	}
	early := a.submit("BK_UBND_TINH", "individual", "Lò Văn Chưa Đến")["id"].(string)

	refused := a.do("POST", "/api/v1/batches", "officer", map[string]any{"kind": "decision", "title": "Bằng khen năm 2025",
		"dossiers": append([]string{early}, ids...)}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, refused.status, string(refused.raw))
	require.Equal(t, http.StatusForbidden, a.do("POST", "/api/v1/batches", "chairman", map[string]any{"kind": "decision",
		"title": "x", "dossiers": ids}, nil).status)

	created := a.do("POST", "/api/v1/batches", "officer", map[string]any{"kind": "decision", "title": "Bằng khen năm 2025",
		"dossiers": ids[:2]}, nil)
	require.Equal(t, http.StatusCreated, created.status, string(created.raw))
	b := created.body["id"].(string)
	require.Regexp(t, `^DS-\d{4}-\d{4}$`, b)
	require.Equal(t, "draft", created.body["status"])
	// A dossier is in at most one draft.
	again := a.do("POST", "/api/v1/batches", "officer", map[string]any{"kind": "decision", "title": "x", "dossiers": ids[:1]}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, again.status, string(again.raw))

	stale := a.do("PATCH", "/api/v1/batches/"+b, "officer", map[string]any{"dossiers": ids}, map[string]string{"If-Match": `"7"`})
	require.Equal(t, http.StatusPreconditionFailed, stale.status, string(stale.raw))
	require.Equal(t, http.StatusConflict, a.do("GET", "/api/v1/batches/"+b+"/document", "officer", nil, nil).status, "no document before signing")
	edited := a.do("PATCH", "/api/v1/batches/"+b, "officer", map[string]any{"dossiers": ids}, map[string]string{"If-Match": `"1"`})
	require.Equal(t, http.StatusOK, edited.status, string(edited.raw))
	require.EqualValues(t, 2, edited.body["version"])
	require.Len(t, edited.body["dossiers"], 3)

	// The chairman returns the third alone before signing.
	a.act(ids[2], "return", "chairman", map[string]any{"comment": "Bổ sung biên bản"}, "supplement")
	// Acting on it alone took it out of the draft at once, with the reason.
	held := a.do("GET", "/api/v1/batches/"+b, "officer", nil, nil)
	require.Equal(t, http.StatusOK, held.status)
	require.Len(t, held.body["dossiers"], 2)
	require.EqualValues(t, 3, held.body["version"])
	require.Len(t, held.body["dropped"], 1)

	require.Equal(t, http.StatusForbidden, a.do("POST", "/api/v1/batches/"+b+"/actions/sign", "officer", nil, nil).status)
	signed := a.do("POST", "/api/v1/batches/"+b+"/actions/sign", "chairman", nil, map[string]string{"If-Match": `"3"`})
	require.Equal(t, http.StatusOK, signed.status, string(signed.raw))
	require.Equal(t, "signed", signed.body["status"])
	number := signed.body["number"].(string)
	require.Regexp(t, `^\d+/QĐ-UBND$`, number)
	require.ElementsMatch(t, []any{ids[0], ids[1]}, signed.body["moved"])
	dropped := signed.body["dropped"].([]any)
	require.Len(t, dropped, 1)
	require.Equal(t, ids[2], dropped[0].(map[string]any)["dossier_id"])
	require.NotEmpty(t, dropped[0].(map[string]any)["reason"])
	require.Equal(t, http.StatusConflict, a.do("POST", "/api/v1/batches/"+b+"/actions/sign", "chairman", nil, nil).status)

	for _, id := range ids[:2] {
		d := a.get(id, "admin").body
		require.Equal(t, "awarded", d["stage"])
		require.Equal(t, number, d["decision"].(map[string]any)["number"])
	}
	got := a.do("GET", "/api/v1/batches/"+b, "chairman", nil, nil)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, "signed", got.body["status"])
	doc := a.do("GET", "/api/v1/batches/"+b+"/document", "chairman", nil, nil)
	require.Equal(t, http.StatusOK, doc.status, string(doc.raw))
	require.Equal(t, "application/pdf", doc.header.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(doc.raw, []byte("%PDF-")), "not a PDF")
	list := a.do("GET", "/api/v1/batches", "officer", nil, nil)
	require.Equal(t, http.StatusOK, list.status)
	require.NotEmpty(t, list.body["items"])
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/batches", "unitA", nil, nil).status)
}

// The console's batch pages: the officer drafts a batch by ticking dossiers
// in decision, the chairman reviews it and signs, everyone downloads the
// signed decision.
func TestConsoleBatch(t *testing.T) {
	a := newAPI(t)
	var ids []string
	for i := range 2 {
		id := a.submit("BK_UBND_TINH", "individual", fmt.Sprintf("Đặng Thị Danh Sách %d", i+1))["id"].(string)
		a.act(id, "accept", "officer", nil, "appraisal")
		a.act(id, "approve", "officer", nil, "decision")
		ids = append(ids, id)
	}
	officer := a.signIn("officer")
	form := officer.get("/batches/new")
	require.Equal(t, http.StatusOK, form.status)
	for _, id := range ids {
		require.Contains(t, form.body, `value="`+id+`"`, "the form offers the dossiers in decision")
	}
	// Without a title: refused, with the reason, nothing drafted.
	bad := officer.post("/batches", url.Values{"kind": {"decision"}, "dossiers": ids})
	require.Equal(t, http.StatusUnprocessableEntity, bad.status)
	require.Contains(t, bad.body, "govuk-error-summary")
	created := officer.post("/batches", url.Values{"kind": {"decision"}, "title": {"Tặng Bằng khen (bảng điều khiển)"}, "dossiers": ids})
	require.Equal(t, http.StatusSeeOther, created.status, created.body)
	page := created.location
	require.Regexp(t, `^/batches/DS-\d{4}-\d{4}$`, page)
	require.NotContains(t, officer.get(page).body, `id="ky"`, "the officer may not sign a decision")

	chairman := a.signIn("chairman")
	review := chairman.get(page)
	require.Equal(t, http.StatusOK, review.status)
	require.Contains(t, review.body, "Đặng Thị Danh Sách 1")
	require.Contains(t, review.body, `id="ky"`)
	signed := chairman.post(page+"/sign", url.Values{"version": {"1"}})
	require.Equal(t, http.StatusSeeOther, signed.status, signed.body)
	after := chairman.get(page)
	require.Contains(t, after.body, `id="so-van-ban"`)
	require.Contains(t, after.body, "/QĐ-UBND")
	require.Contains(t, after.body, "Đã ký")
	doc := officer.get(page + "/document")
	require.Equal(t, http.StatusOK, doc.status)
	require.True(t, strings.HasPrefix(doc.body, "%PDF-"))
	require.Contains(t, officer.get("/batches").body, "Tặng Bằng khen (bảng điều khiển)")
	require.Equal(t, http.StatusForbidden, a.signIn("unitA").get("/batches").status)
}
