// Package workflows holds the dossier workflow: thin glue that asks domain/
// what is allowed, records what happened, and projects it into the read model.
package workflows

import (
	"time"

	"tdkt/domain"
)

const (
	// DossierWorkflowName is the registered name of the dossier workflow.
	DossierWorkflowName = "Dossier"
	// QueryState returns the dossier's public view (domain.View).
	QueryState = "state"
	// UpdateSync waits until the dossier's current version is in the read
	// model and returns its view. APIs before issue 11 sent it with the
	// start (update-with-start); kept for them during a rolling deploy, and
	// for the dossiers they started (the workflow projects those itself).
	UpdateSync = "sync"
	// UpdateFlush is always refused, by its validator, and so leaves no
	// trace in history; sending it makes Temporal run a workflow task,
	// which delivers any update admitted earlier and not yet delivered. An
	// update whose caller died right after sending it can otherwise wait,
	// admitted, until something else wakes the workflow (the reconciler
	// flushes before it decides such an update will never happen).
	UpdateFlush = "flush"
)

// DossierWorkflowID is the workflow id of dossier id.
func DossierWorkflowID(id string) string { return "dossier-" + id }

// UpdateName is the update that takes action a. Every public action of the
// transition table, and attach_document, has its own validated update.
func UpdateName(a domain.Action) string { return string(a) }

// DossierInput starts a dossier, or continues one as new (State set).
type DossierInput struct {
	ID         string            `json:"id"`
	Submission domain.Submission `json:"submission"`
	By         domain.Actor      `json:"by"`
	Policy     domain.Policy     `json:"policy"`
	// State carries the whole dossier across continue-as-new.
	State *domain.Dossier `json:"state,omitempty"`
	// Projected is the version already in the read model.
	Projected int64 `json:"projected,omitempty"`
	// Unconfirmed are history entries not yet known to be in the read model.
	Unconfirmed []domain.HistoryEntry `json:"unconfirmed,omitempty"`
	// UnconfirmedVoters are members whose vote is not yet known to be in the
	// read model.
	UnconfirmedVoters []string `json:"unconfirmed_voters,omitempty"`
	// Seal is the API's signature of the start (domain.StartMessage): a
	// worker holding the keys fails a start without a valid one at once.
	Seal string `json:"seal,omitempty"`
	// SubmittedAt is when the API received the submission. When set, the
	// API has projected the dossier's opening (Opened) itself, from this
	// very input, and the workflow starts from the same state without
	// projecting; when zero (an API from before), the workflow projects it.
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// MaxHistoryEvents, when set, continues as new once history is this long,
	// besides when Temporal suggests it (tests use it to cross runs).
	MaxHistoryEvents int `json:"max_history_events,omitempty"`
}

// ActionRequest is the argument of every action update.
type ActionRequest = domain.Command

// Opened is the state of a dossier just submitted with in (SubmittedAt set),
// and its first history entry: the API projects it when it starts the
// workflow, the workflow starts from it, and tdkt reproject rebuilds it from
// the start event, all with this one function of the recorded input.
func Opened(in DossierInput) (*domain.Dossier, domain.HistoryEntry) {
	return domain.NewDossier(in.ID, in.Submission, in.By, in.SubmittedAt, in.Policy)
}

// Outcome is what an action update returns: the dossier's view after it
// and, when the command asked to project it itself (Command.CallerProjects),
// the history entries the action wrote and the council member it recorded
// as having voted, for the caller to write into the read model before it
// answers. The view's fields come first and flat, so that an API from
// before, which reads the answer as a domain.View, still can.
type Outcome struct {
	domain.View
	// Entries are the history entries the action wrote; empty when the
	// workflow projected them itself.
	Entries []domain.HistoryEntry `json:"outcome_entries,omitempty"`
	// Voter is the member recorded as having voted (vote, written opinion).
	Voter string `json:"outcome_voter,omitempty"`
}
