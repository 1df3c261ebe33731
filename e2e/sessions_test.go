package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"tdkt/app"
)

// toCouncil submits a Prime Minister's award (the council needs more than
// half of the members) with its documents and takes it to stage council.
func (a *api) toCouncil(name string) string {
	id := a.submit("BK_TTG", "individual", name)["id"].(string)
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	return id
}

// A council session over HTTP on the real stack (API.md, Wave 2): the
// secretary opens it with an agenda of dossiers in council (one elsewhere
// is refused, and so is a dossier already on an open session); a dossier on
// it is voted only through it; the agenda changes until the first ballot;
// members cast one secret ballot each covering the agenda, the secretary
// records a written opinion; closing needs the quorum and happens once;
// each dossier gets its tally, with the session in its history; the
// minutes read back as JSON and PDF; the read model never held a count
// while the session was open.
func TestCouncilSessionOverHTTP(t *testing.T) {
	a := newAPI(t)
	ids := []string{a.toCouncil("Lò Văn Phiên Một"), a.toCouncil("Lò Thị Phiên Hai"), a.toCouncil("Điêu Chính Phiên Ba")}
	early := a.submit("BK_TTG", "individual", "Lò Văn Chưa Đến Hội Đồng")["id"].(string)

	open := func(who string, dossiers ...string) reply {
		return a.do("POST", "/api/v1/council-sessions", who, map[string]any{"title": "Phiên họp xét khen thưởng năm 2026",
			"date": "2026-12-15", "dossiers": dossiers}, nil)
	}
	require.Equal(t, http.StatusForbidden, open("officer", ids[0]).status)
	refused := open("secretary", ids[0], early)
	require.Equal(t, http.StatusUnprocessableEntity, refused.status, string(refused.raw))
	require.Contains(t, string(refused.raw), early)
	created := open("secretary", ids[0], ids[1])
	require.Equal(t, http.StatusCreated, created.status, string(created.raw))
	sid := created.body["id"].(string)
	require.Regexp(t, `^PH-\d{4}-\d{4}$`, sid)
	require.Equal(t, "open", created.body["status"])
	require.EqualValues(t, 9, created.body["members"])
	require.EqualValues(t, 6, created.body["quorum"])
	for _, it := range created.body["agenda"].([]any) {
		require.Nil(t, it.(map[string]any)["tally"], "no tally while open")
	}
	// A dossier is on at most one open session.
	twice := open("secretary", ids[0])
	require.Equal(t, http.StatusUnprocessableEntity, twice.status, string(twice.raw))

	// On the session, the dossier is voted only through it.
	single := a.do("POST", "/api/v1/dossiers/"+ids[0]+"/actions/vote", "c1", map[string]any{"approve": true},
		map[string]string{"Accept-Language": "vi"})
	require.Equal(t, http.StatusConflict, single.status, string(single.raw))
	require.Contains(t, single.body["detail"], "phiên họp")
	seen := a.get(ids[0], "c1").body
	require.Equal(t, sid, seen["council_session"])
	require.NotContains(t, strs(seen["allowed_actions"]), "vote")
	require.EqualValues(t, 0, seen["votes"].(map[string]any)["cast"])
	// Task lists leave it out (it waits on the session's ballot); the list
	// says it is on the session (read once for the page) and offers no
	// single vote.
	for _, who := range []string{"c1", "secretary"} {
		r := a.do("GET", "/api/v1/tasks", who, nil, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.NotContains(t, string(r.raw), `"id":"`+ids[0]+`"`, "%s's tasks hold a dossier on an open session", who)
	}
	listed := a.listed("c1", ids[0])
	require.Equal(t, sid, listed["council_session"], "the member's task list names the session")
	require.NotContains(t, strs(listed["allowed_actions"]), "vote")
	require.Equal(t, sid, a.listed("secretary", ids[0])["council_session"])
	require.NotContains(t, strs(a.listed("secretary", ids[0])["allowed_actions"]), "close_vote")

	added := a.do("POST", "/api/v1/council-sessions/"+sid+"/agenda", "secretary", map[string]any{"add": []string{ids[2]}}, nil)
	require.Equal(t, http.StatusOK, added.status, string(added.raw))
	require.Len(t, added.body["agenda"], 3)

	ballot := func(who string, choices map[string]string) reply {
		return a.do("POST", "/api/v1/council-sessions/"+sid+"/ballots", who, map[string]any{"choices": choices}, nil)
	}
	split := map[string]string{ids[0]: "yes", ids[1]: "no", ids[2]: "abstain"}
	allYes := map[string]string{ids[0]: "yes", ids[1]: "yes", ids[2]: "yes"}
	incomplete := ballot("c1", map[string]string{ids[0]: "yes"})
	require.Equal(t, http.StatusUnprocessableEntity, incomplete.status, string(incomplete.raw))
	require.Equal(t, http.StatusForbidden, ballot("secretary", split).status)
	for i := 1; i <= 4; i++ {
		r := ballot(fmt.Sprintf("c%d", i), split)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
		require.Equal(t, true, r.body["my_ballot_cast"])
	}
	require.Equal(t, http.StatusCreated, ballot("c5", allYes).status)
	require.Equal(t, http.StatusConflict, ballot("c1", allYes).status, "a second ballot")
	late := a.do("POST", "/api/v1/council-sessions/"+sid+"/agenda", "secretary", map[string]any{"remove": []string{ids[2]}}, nil)
	require.Equal(t, http.StatusConflict, late.status, "the agenda changed after a ballot")

	var view string
	require.NoError(t, a.db.QueryRow(`SELECT view::text FROM council_sessions WHERE id = $1`, sid).Scan(&view))
	require.NotContains(t, view, `"yes"`, "the read model holds a count while the session is open")
	got := a.do("GET", "/api/v1/council-sessions/"+sid, "c7", nil, nil)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, false, got.body["my_ballot_cast"])
	require.EqualValues(t, 5, got.body["ballots_cast"])
	require.Equal(t, http.StatusForbidden, a.do("GET", "/api/v1/council-sessions/"+sid, "unitA", nil, nil).status)

	noQuorum := a.do("POST", "/api/v1/council-sessions/"+sid+"/actions/close", "secretary", nil, map[string]string{"Accept-Language": "vi"})
	require.Equal(t, http.StatusConflict, noQuorum.status, string(noQuorum.raw))
	require.Contains(t, noQuorum.body["detail"], "túc số")
	require.Equal(t, http.StatusConflict, a.do("GET", "/api/v1/council-sessions/"+sid+"/minutes", "secretary", nil, nil).status)
	opinion := a.do("POST", "/api/v1/council-sessions/"+sid+"/written-opinions", "secretary",
		map[string]any{"member": "c6", "choices": allYes, "comment": "Gửi ý kiến bằng văn bản"}, nil)
	require.Equal(t, http.StatusCreated, opinion.status, string(opinion.raw))
	require.Equal(t, http.StatusConflict, ballot("c6", allYes).status, "the member whose opinion was recorded")

	closed := a.do("POST", "/api/v1/council-sessions/"+sid+"/actions/close", "secretary", nil, nil)
	require.Equal(t, http.StatusOK, closed.status, string(closed.raw))
	require.Equal(t, "closed", closed.body["status"])
	tallies := map[string]map[string]any{}
	for _, it := range closed.body["agenda"].([]any) {
		m := it.(map[string]any)
		require.Equal(t, true, m["applied"], m)
		tallies[m["dossier_id"].(string)] = m["tally"].(map[string]any)
	}
	require.Equal(t, map[string]any{"yes": 6.0, "no": 0.0, "abstain": 0.0, "needed": 5.0, "passed": true}, tallies[ids[0]])
	require.Equal(t, map[string]any{"yes": 2.0, "no": 4.0, "abstain": 0.0, "needed": 5.0, "passed": false}, tallies[ids[1]])
	require.Equal(t, map[string]any{"yes": 2.0, "no": 0.0, "abstain": 4.0, "needed": 5.0, "passed": false}, tallies[ids[2]])
	require.Equal(t, http.StatusConflict, a.do("POST", "/api/v1/council-sessions/"+sid+"/actions/close", "secretary", nil, nil).status)

	for id, want := range map[string]string{ids[0]: "decision", ids[1]: "rejected", ids[2]: "rejected"} {
		d := a.get(id, "admin").body
		require.Equal(t, want, d["stage"], id)
		n := 0
		for _, e := range a.history(id) {
			if e["action"] == "session_result" {
				n++
				require.Equal(t, sid, e["details"].(map[string]any)["session"])
				require.Equal(t, want, e["to_stage"])
			}
		}
		require.Equal(t, 1, n, "one session result in %s's history", id)
	}
	require.EqualValues(t, 4, a.get(ids[2], "admin").body["votes"].(map[string]any)["abstain"])

	minutes := a.do("GET", "/api/v1/council-sessions/"+sid+"/minutes", "chairman", nil, map[string]string{"Accept": "application/json"})
	require.Equal(t, http.StatusOK, minutes.status, string(minutes.raw))
	require.Regexp(t, `^\d+/BB-HĐTĐKT$`, minutes.body["number"])
	require.Len(t, minutes.body["attendance"], 6)
	pdf := a.do("GET", "/api/v1/council-sessions/"+sid+"/minutes", "officer", nil, nil)
	require.Equal(t, http.StatusOK, pdf.status, string(pdf.raw))
	require.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(pdf.raw, []byte("%PDF-")), "not a PDF")
	list := a.do("GET", "/api/v1/council-sessions?status=closed", "c3", nil, nil)
	require.Equal(t, http.StatusOK, list.status)
	require.NotEmpty(t, list.body["items"])
}

// Opening a session and drafting a batch take an Idempotency-Key: the same
// key and request answer 200 with what the first created, the same key
// with another request is 422, and a key whose first attempt died after
// reserving its id (simulated: the key row alone) gets its creation
// finished under that id.
func TestCreationsRepeatedWithTheirKey(t *testing.T) {
	a := newAPI(t)
	x, y := a.toCouncil("Lò Văn Khóa Một"), a.toCouncil("Lò Văn Khóa Hai")
	body := map[string]any{"title": "Phiên họp có khóa", "date": "2026-12-20", "dossiers": []string{x}}
	key := map[string]string{"Idempotency-Key": "open-" + x}
	first := a.do("POST", "/api/v1/council-sessions", "secretary", body, key)
	require.Equal(t, http.StatusCreated, first.status, string(first.raw))
	again := a.do("POST", "/api/v1/council-sessions", "secretary", body, key)
	require.Equal(t, http.StatusOK, again.status, string(again.raw))
	require.Equal(t, first.body["id"], again.body["id"])
	other := a.do("POST", "/api/v1/council-sessions", "secretary", map[string]any{"title": "Khác", "date": "2026-12-20",
		"dossiers": []string{y}}, key)
	require.Equal(t, http.StatusUnprocessableEntity, other.status, string(other.raw))
	var n int
	require.NoError(t, a.db.QueryRow(`SELECT count(*) FROM council_session_dossiers WHERE dossier_id = $1`, y).Scan(&n))
	require.Zero(t, n, "a refused repeat put a dossier on a session")

	// The first attempt reserved PH-2026-9<random> and died before starting anything.
	req := app.SessionRequest{Title: "Phiên họp dở dang", Date: "2026-12-21", Dossiers: []string{y}}
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	sum := sha256.Sum256(raw)
	orphan := fmt.Sprintf("PH-2026-9%03d", time.Now().UnixNano()%1000)
	_, err = a.db.Exec(`INSERT INTO creation_keys (kind, actor, key, request_hash, id) VALUES ('session', 'secretary', $1, $2, $3)`,
		"orphan-"+y, hex.EncodeToString(sum[:]), orphan)
	require.NoError(t, err)
	finished := a.do("POST", "/api/v1/council-sessions", "secretary", map[string]any{"title": req.Title, "date": req.Date,
		"dossiers": req.Dossiers}, map[string]string{"Idempotency-Key": "orphan-" + y})
	require.Equal(t, http.StatusOK, finished.status, string(finished.raw))
	require.Equal(t, orphan, finished.body["id"])
	require.Equal(t, orphan, a.get(y, "c1").body["council_session"], "the finished session holds the dossier")

	// A batch, the same way.
	d := a.submit("BK_UBND_TINH", "individual", "Lò Văn Khóa Lô")["id"].(string)
	a.act(d, "accept", "officer", nil, "appraisal")
	a.act(d, "approve", "officer", nil, "decision")
	bkey := map[string]string{"Idempotency-Key": "batch-" + d}
	b1 := a.do("POST", "/api/v1/batches", "officer", map[string]any{"kind": "decision", "title": "Lô có khóa", "dossiers": []string{d}}, bkey)
	require.Equal(t, http.StatusCreated, b1.status, string(b1.raw))
	b2 := a.do("POST", "/api/v1/batches", "officer", map[string]any{"kind": "decision", "title": "Lô có khóa", "dossiers": []string{d}}, bkey)
	require.Equal(t, http.StatusOK, b2.status, string(b2.raw))
	require.Equal(t, b1.body["id"], b2.body["id"])
}
