// Package workflows holds the dossier workflow: thin glue that asks domain/
// what is allowed, records what happened, and projects it into the read model.
package workflows

import (
	"tdkt/domain"
)

const (
	// DossierWorkflowName is the registered name of the dossier workflow.
	DossierWorkflowName = "Dossier"
	// QueryState returns the dossier's public view (domain.View).
	QueryState = "state"
	// UpdateSync waits until the dossier's current version is in the read
	// model and returns its view; the API calls it with the start, so that a
	// submission is readable as soon as it is acknowledged.
	UpdateSync = "sync"
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
	// MaxHistoryEvents, when set, continues as new once history is this long,
	// besides when Temporal suggests it (tests use it to cross runs).
	MaxHistoryEvents int `json:"max_history_events,omitempty"`
}

// ActionRequest is the argument of every action update.
type ActionRequest = domain.Command
