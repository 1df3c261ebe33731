// Package activities holds the dossier workflow's side effects: projection of
// every transition into PostgreSQL and the numbering of decisions and
// proposals. Each activity is idempotent, so a retry never writes twice.
package activities

import (
	"tdkt/domain"
)

// ProjectInput is one transition to write into the read model.
type ProjectInput struct {
	// View is the dossier after the transition; the row is replaced only
	// when View.Version is newer than the stored one.
	View domain.View `json:"view"`
	// Entries are the history entries the transition wrote, keyed by
	// (dossier, seq): a retry inserts nothing twice.
	Entries []domain.HistoryEntry `json:"entries"`
	// Voter is the member who voted, when the transition is a vote: stored
	// only to refuse a second vote and to keep the inbox right, never shown.
	Voter string `json:"voter,omitempty"`
	// Voters are earlier voters whose projection did not happen, sent again.
	Voters []string `json:"voters,omitempty"`
}

// NumberKind is a kind of number the chairman's office issues.
type NumberKind string

const (
	// DecisionNumber is N/QĐ-UBND, a decision (quyết định) of the chairman.
	DecisionNumber NumberKind = "QĐ-UBND"
	// ProposalNumber is N/TTr-UBND, a proposal (tờ trình) to the central level.
	ProposalNumber NumberKind = "TTr-UBND"
)

// IssueNumberInput asks for the next number of a kind in a year for a dossier.
type IssueNumberInput struct {
	DossierID string     `json:"dossier_id"`
	Kind      NumberKind `json:"kind"`
	Year      int        `json:"year"`
}

// Activity names, as registered by the worker.
const (
	ProjectActivity     = "Project"
	IssueNumberActivity = "IssueNumber"
)
