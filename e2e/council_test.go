package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCloseNeedsQuorumAndWrittenOpinionsCount: closing a vote without a
// quorum is 409 and changes nothing (the vote is postponed, the dossier not
// rejected); the secretary's records of absent members' written opinions
// count as their votes, the member cannot vote again, and the history says
// only that an opinion was recorded.
func TestCloseNeedsQuorumAndWrittenOpinionsCount(t *testing.T) {
	a := newAPI(t)
	id := a.submit("BK_TTG", "individual", "Phạm Văn Túc Số")["id"].(string)
	for _, k := range []string{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"} {
		require.Equal(t, http.StatusCreated, a.upload(id, "unitA", k, k+".pdf", []byte("%PDF-1.7 "+k)).status)
	}
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	for i := 1; i <= 4; i++ {
		a.act(id, "vote", fmt.Sprintf("c%d", i), map[string]any{"approve": true}, "council")
	}
	before := a.get(id, "admin").body
	require.NotContains(t, strs(a.get(id, "secretary").body["allowed_actions"]), "close_vote", "close is not offered without a quorum")
	r := a.do("POST", "/api/v1/dossiers/"+id+"/actions/close_vote", "secretary", map[string]any{}, nil)
	require.Equal(t, http.StatusConflict, r.status, string(r.raw))
	require.Contains(t, r.body["detail"], "quorum")
	vi := a.do("POST", "/api/v1/dossiers/"+id+"/actions/close_vote", "secretary", map[string]any{}, map[string]string{"Accept-Language": "vi"})
	require.Contains(t, vi.body["detail"], "Chưa đủ túc số")
	require.Equal(t, before["version"], a.get(id, "admin").body["version"], "a refused close changed the dossier")

	// Two absent members send written opinions; the secretary records them.
	a.act(id, "written_opinion", "secretary", map[string]any{"member": "c5", "approve": true, "comment": "Ý kiến gửi bằng văn bản"}, "council")
	r = a.do("POST", "/api/v1/dossiers/"+id+"/actions/written_opinion", "secretary", map[string]any{"member": "c5", "approve": false}, nil)
	require.Equal(t, http.StatusConflict, r.status, "a second opinion for the same member")
	r = a.do("POST", "/api/v1/dossiers/"+id+"/actions/vote", "c5", map[string]any{"approve": false}, nil)
	require.Equal(t, http.StatusConflict, r.status, "the member whose opinion was recorded votes again")
	require.NotContains(t, strs(a.get(id, "c5").body["allowed_actions"]), "vote")
	a.act(id, "written_opinion", "secretary", map[string]any{"member": "c6", "approve": false}, "council")
	got := a.get(id, "secretary").body
	require.EqualValues(t, 6, got["votes"].(map[string]any)["cast"])
	require.Nil(t, got["votes"].(map[string]any)["yes"], "the tally stays secret while open")
	require.Contains(t, strs(got["allowed_actions"]), "close_vote")

	out := a.act(id, "close_vote", "secretary", nil, "decision")
	require.EqualValues(t, 5, out["votes"].(map[string]any)["yes"])
	require.EqualValues(t, 1, out["votes"].(map[string]any)["no"])
	for _, e := range a.history(id) {
		if e["action"] == "written_opinion" {
			require.Equal(t, "secretary", e["actor_id"])
			require.Nil(t, e["details"], "an opinion's entry says whose or how")
		}
	}
}
