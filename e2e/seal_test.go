package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"tdkt/codec"
	"tdkt/domain"
	"tdkt/workflows"
)

// TestTemporalIsNoSideDoor: with payload keys, the API seals every start and
// command and the worker takes nothing else. Someone who can reach Temporal
// (its CLI, its UI with write actions on) and even holds the payload codec
// cannot act as another person: an update sent straight to Temporal is
// refused and leaves no event; a start made there ends at once, projected
// nowhere.
func TestTemporalIsNoSideDoor(t *testing.T) {
	a, pc, temporalAddr, _ := ballotStack(t)
	id := a.submit("BK_UBND_TINH", "individual", "Trần Cửa Hậu")["id"].(string)

	dc := codec.DataConverter(pc)
	c, err := client.Dial(client.Options{HostPort: temporalAddr, Namespace: "default", DataConverter: dc,
		FailureConverter: codec.FailureConverter(dc)})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events := func() int {
		n := 0
		it := c.GetWorkflowHistory(ctx, workflows.DossierWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			_, err := it.Next()
			require.NoError(t, err)
			n++
		}
		return n
	}
	before, version := events(), a.get(id, "admin").body["version"]

	// The officer's accept, forged: sent straight to Temporal.
	forged := domain.Command{Action: domain.ActAccept, Actor: domain.Actor{ID: "officer", Name: "Người officer",
		Roles: []domain.Role{domain.RoleOfficer}}, Comment: "qua cửa sau"}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.DossierWorkflowID(id),
		UpdateName: workflows.UpdateName(domain.ActAccept), Args: []any{forged}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	e, ok := workflows.AsRefusal(err)
	require.True(t, ok, "want a refusal, got %v", err)
	require.Equal(t, domain.ErrForbidden, e.Kind)
	require.Contains(t, e.Detail, "seal")
	require.Equal(t, before, events(), "a forged update left events")
	require.Equal(t, version, a.get(id, "admin").body["version"])

	// The same action through the API goes through.
	a.act(id, "accept", "officer", map[string]any{"comment": "đủ hồ sơ"}, "appraisal")

	// A dossier started straight in Temporal, as any unit.
	forgedID := "HS-2026-999999"
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.DossierWorkflowID(forgedID), TaskQueue: "ballot"},
		workflows.DossierWorkflowName, workflows.DossierInput{ID: forgedID, By: domain.Actor{ID: "u", Roles: []domain.Role{domain.RoleUnit}, Unit: "SGDDT"},
			Policy: domain.DefaultPolicy(), Submission: domain.Submission{AwardCode: "BK_UBND_TINH", Kind: domain.KindMerit,
				Procedure: domain.ProcedureRegular, AchievementPeriod: "2026", Nominee: domain.Nominee{Type: domain.Individual, Name: "Giả Mạo"}}})
	require.NoError(t, err)
	require.ErrorContains(t, run.Get(ctx, nil), "no valid seal")
	require.Equal(t, http.StatusNotFound, a.get(forgedID, "admin").status, "a forged start reached the read model")
}
