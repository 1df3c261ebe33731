package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// positions are the roster's positions of the stack's council members.
var positions = map[string]string{"c1": "Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng", "c2": "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh, ủy viên"}

// withRoster puts the stack's nine council members on the roster, by the
// names the console shows, and takes them off when t ends, so that other
// tests find the roster empty.
func withRoster(t *testing.T, a *api) {
	t.Helper()
	for i := 1; i <= 9; i++ {
		id := fmt.Sprintf("c%d", i)
		pos := positions[id]
		if pos == "" {
			pos = "Ủy viên Hội đồng"
		}
		r := a.do("PUT", "/api/v1/council-members/"+id, "admin", map[string]any{"name": personName(id), "position": pos, "order": i}, nil)
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, r.status, string(r.raw))
	}
	t.Cleanup(func() {
		for i := 1; i <= 9; i++ {
			a.do("DELETE", fmt.Sprintf("/api/v1/council-members/c%d", i), "admin", nil, nil)
		}
	})
}

// The council's roster over HTTP: the administrator keeps it (bad input is
// 422 naming the field, in Vietnamese, and changes nothing); everyone but
// a unit reads it. With it, a written opinion is one of its members (named
// as it names them), and a session and its minutes list the members who
// cast nothing by name.
func TestCouncilRosterOverHTTP(t *testing.T) {
	a := newAPI(t)
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/council-members", "unitA", nil, nil).status)
	require.Equal(t, http.StatusForbidden, a.do("PUT", "/api/v1/council-members/c1", "officer", map[string]any{"name": "x"}, nil).status)
	bad := a.do("PUT", "/api/v1/council-members/c%20x", "admin", map[string]any{"name": " ", "order": 1000}, map[string]string{"Accept-Language": "vi"})
	require.Equal(t, http.StatusUnprocessableEntity, bad.status, string(bad.raw))
	fields := map[string]string{}
	for _, e := range bad.body["errors"].([]any) {
		m := e.(map[string]any)
		fields[m["field"].(string)] = m["message"].(string)
	}
	require.Contains(t, fields["id"], "mã đăng nhập")
	require.Contains(t, fields["name"], "cần được cung cấp")
	require.Contains(t, fields["order"], "từ 0 đến 999")
	require.Empty(t, a.do("GET", "/api/v1/council-members", "c1", nil, nil).body["items"], "nothing written")

	withRoster(t, a)
	again := a.do("PUT", "/api/v1/council-members/c1", "admin", map[string]any{"name": personName("c1"), "position": positions["c1"], "order": 1}, nil)
	require.Equal(t, http.StatusOK, again.status, "a change, not an addition")
	roster := a.do("GET", "/api/v1/council-members", "chairman", nil, nil)
	require.Equal(t, http.StatusOK, roster.status)
	items := roster.body["items"].([]any)
	require.Len(t, items, 9)
	require.Equal(t, map[string]any{"id": "c1", "name": personName("c1"), "position": positions["c1"], "order": 1.0}, items[0])
	require.Equal(t, http.StatusNotFound, a.do("DELETE", "/api/v1/council-members/c99", "admin", nil, nil).status)

	// A dossier voted on alone: the written opinion too is a member's of
	// the roster.
	alone := a.toCouncil("Lò Văn Bỏ Phiếu Riêng")
	notOn := a.do("POST", "/api/v1/dossiers/"+alone+"/actions/written_opinion", "secretary", map[string]any{"member": "c99", "approve": true}, nil)
	require.Equal(t, http.StatusUnprocessableEntity, notOn.status, string(notOn.raw))
	require.Equal(t, "member", notOn.body["errors"].([]any)[0].(map[string]any)["field"])
	a.act(alone, "vote", "c1", map[string]any{"approve": true}, "council")
	form := a.signIn("secretary").get("/dossiers/" + alone + "/act/written_opinion")
	require.Equal(t, http.StatusOK, form.status)
	require.Contains(t, form.body, `value="c9"`, "the form offers the members yet to vote")
	require.Contains(t, form.body, personName("c9"))
	require.NotContains(t, form.body, `value="c1"`, "c1 has voted")
	a.act(alone, "written_opinion", "secretary", map[string]any{"member": "c9", "approve": true}, "council")

	id := a.toCouncil("Lò Thị Danh Sách")
	open := a.do("POST", "/api/v1/council-sessions", "secretary", map[string]any{"title": "Phiên họp có danh sách thành viên",
		"date": "2026-12-16", "dossiers": []string{id}}, nil)
	require.Equal(t, http.StatusCreated, open.status, string(open.raw))
	sid := open.body["id"].(string)
	require.Len(t, open.body["absent_members"], 9, "before any ballot every member has yet to cast")
	yes := map[string]string{id: "yes"}
	for i := 1; i <= 5; i++ {
		r := a.do("POST", "/api/v1/council-sessions/"+sid+"/ballots", fmt.Sprintf("c%d", i), map[string]any{"choices": yes}, nil)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	}
	stranger := a.do("POST", "/api/v1/council-sessions/"+sid+"/written-opinions", "secretary",
		map[string]any{"member": "c99", "choices": yes}, map[string]string{"Accept-Language": "vi"})
	require.Equal(t, http.StatusUnprocessableEntity, stranger.status, string(stranger.raw))
	require.Contains(t, string(stranger.raw), "không có trong danh sách thành viên Hội đồng")
	opinion := a.do("POST", "/api/v1/council-sessions/"+sid+"/written-opinions", "secretary", map[string]any{"member": "c6", "choices": yes}, nil)
	require.Equal(t, http.StatusCreated, opinion.status, string(opinion.raw))
	var written map[string]any
	for _, at := range opinion.body["attendance"].([]any) {
		if m := at.(map[string]any); m["id"] == "c6" {
			written = m
		}
	}
	require.Equal(t, personName("c6"), written["name"], "named as the roster names them")
	closed := a.do("POST", "/api/v1/council-sessions/"+sid+"/actions/close", "secretary", nil, nil)
	require.Equal(t, http.StatusOK, closed.status, string(closed.raw))
	minutes := a.do("GET", "/api/v1/council-sessions/"+sid+"/minutes", "officer", nil, map[string]string{"Accept": "application/json"})
	require.Equal(t, http.StatusOK, minutes.status, string(minutes.raw))
	var absent []string
	for _, m := range minutes.body["absent_members"].([]any) {
		absent = append(absent, m.(map[string]any)["name"].(string))
	}
	require.Equal(t, []string{personName("c7"), personName("c8"), personName("c9")}, absent)
	pdf := a.do("GET", "/api/v1/council-sessions/"+sid+"/minutes", "officer", nil, nil)
	require.Equal(t, http.StatusOK, pdf.status)
}

// The roster's page: the administrator adds a member (a missing name is
// refused with the reason at the field, nothing written), changes and
// removes one; the secretary reads it and finds no form; a unit may not
// open it.
func TestConsoleCouncilRoster(t *testing.T) {
	a := newAPI(t)
	admin := a.signIn("admin")
	r := admin.post("/council", url.Values{"id": {"c1"}, "name": {""}, "order": {"x"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "Họ tên cần được cung cấp")
	require.Contains(t, r.body, "Thứ tự")
	require.Contains(t, r.body, `href="#f-name"`)
	require.Empty(t, a.do("GET", "/api/v1/council-members", "admin", nil, nil).body["items"])

	r = admin.post("/council", url.Values{"id": {"c1"}, "name": {personName("c1")}, "position": {positions["c1"]}, "order": {"1"}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	t.Cleanup(func() { a.do("DELETE", "/api/v1/council-members/c1", "admin", nil, nil) })
	r = admin.get("/council")
	require.Contains(t, r.body, "Đã thêm thành viên "+personName("c1"))
	require.Contains(t, r.body, positions["c1"])
	require.Contains(t, r.body, `id="lech-so-luong"`, "one member on the roster of a council of nine")
	r = admin.get("/council?id=c1")
	require.Contains(t, r.body, `value="`+personName("c1")+`"`, "the form holds the member's entry to change")

	sec := a.signIn("secretary")
	r = sec.get("/council")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, personName("c1"))
	require.NotContains(t, r.body, `id="sua"`, "only the administrator edits")
	require.Equal(t, http.StatusForbidden, sec.post("/council", url.Values{"id": {"c2"}, "name": {"x"}}).status)
	require.Equal(t, http.StatusForbidden, a.signIn("unitA").get("/council").status)

	r = admin.post("/council/remove", url.Values{"id": {"c1"}})
	require.Equal(t, http.StatusSeeOther, r.status)
	require.Contains(t, admin.get("/council").body, `id="chua-co"`)
}
