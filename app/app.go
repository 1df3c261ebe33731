// Package app is the application layer: one function per use case (submit a
// dossier, attach a document, take an action, list, inbox, history), called
// by both front doors, the JSON API (server/) and the console (web/). The
// rules of who may see and do what live here and in domain/, never in a
// handler; the front doors only translate requests and answers.
package app

import (
	"context"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"tdkt/codec"
	"tdkt/domain"
	"tdkt/store"
)

// TemporalTimeout bounds every Temporal call a use case makes.
const TemporalTimeout = 30 * time.Second

// ReadModel is what the use cases read from (and reserve in) PostgreSQL:
// the subset of the store they use, so that handler tests can fake it.
type ReadModel interface {
	Ping(ctx context.Context) error
	ReserveSubmission(ctx context.Context, unit, key, requestHash string, year int) (id string, existed bool, err error)
	GetDossier(ctx context.Context, id string) (domain.View, error)
	History(ctx context.Context, id string) ([]domain.HistoryEntry, error)
	ListDossiers(ctx context.Context, f store.ListFilter) ([]domain.View, string, error)
	Inbox(ctx context.Context, a domain.Actor, limit int) ([]domain.View, error)
	HasVoted(ctx context.Context, dossierID, memberID string) (bool, error)
	PutDocument(ctx context.Context, dossierID string, kind domain.DocumentKind, filename, contentType string, r io.Reader, maxBytes int64) (domain.Document, error)
	DeleteDocument(ctx context.Context, docID string) error
	OpenDocument(ctx context.Context, dossierID, docID string) (domain.Document, io.ReadCloser, error)
	// MarkPending, ProjectPending and ClearPending are the API's half of
	// projection: mark before sending to Temporal, write the outcome and
	// clear the mark in one transaction, or clear it on a refusal.
	MarkPending(ctx context.Context, id, token string) error
	ProjectPending(ctx context.Context, token string, v domain.View, entries []domain.HistoryEntry, voters ...string) error
	ClearPending(ctx context.Context, id, token string) error
	HasPending(ctx context.Context, id string) (bool, error)
	// The unit directory: a dossier's unit must be in it.
	ListUnits(ctx context.Context) ([]domain.Unit, error)
	GetUnit(ctx context.Context, code string) (domain.Unit, error)
	CreateUnit(ctx context.Context, u domain.Unit) error
	UpdateUnit(ctx context.Context, u domain.Unit) error
}

// numberPreview is the read model's look at the next number of a kind; the
// chairman's confirmation page shows it. *store.Store has it.
type numberPreview interface {
	NextNumber(ctx context.Context, kind string, year int) (int, error)
}

var _ ReadModel = (*store.Store)(nil)
var _ numberPreview = (*store.Store)(nil)

// Deps is what the use cases need.
type Deps struct {
	Temporal  client.Client
	Store     ReadModel
	TaskQueue string
	Policy    domain.Policy
	Logger    *slog.Logger
	// MaxUpload is the largest document accepted, in bytes.
	MaxUpload int64
	// MaxDocuments is the most documents a dossier holds; 50 when zero.
	MaxDocuments int
	// Sealer signs every start and command sent to a dossier workflow, so
	// that the workers accept only what the API issued; nil signs nothing
	// (no payload key: development and tests).
	Sealer *codec.Sealer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Reconcile rebuilds dossier id in the read model from its Temporal
	// history (reconcile.Reconciler.Dossier); a repeated submission whose
	// first attempt did not write the dossier uses it. Nil: such a repeat
	// is answered 503 until the worker's reconciler has written it.
	Reconcile func(ctx context.Context, id string) error
	// EnforceCampaigns refuses a submission whose campaign code is not in
	// the plan (TDKT_CAMPAIGNS=enforce; see campaigns.go).
	EnforceCampaigns bool
}

// Service runs the use cases.
type Service struct {
	temporal  client.Client
	store     ReadModel
	taskQueue string
	policy    domain.Policy
	log       *slog.Logger
	maxUpload int64
	// maxDocuments is the most documents a dossier holds.
	maxDocuments int
	sealer       *codec.Sealer
	now          func() time.Time
	reconcile    func(ctx context.Context, id string) error
	// enforceCampaigns: see Deps.EnforceCampaigns.
	enforceCampaigns bool
}

// New builds the service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxDocuments <= 0 {
		d.MaxDocuments = 50
	}
	return &Service{temporal: d.Temporal, store: d.Store, taskQueue: d.TaskQueue, policy: d.Policy,
		log: d.Logger, maxUpload: d.MaxUpload, maxDocuments: d.MaxDocuments, sealer: d.Sealer, now: d.Now,
		reconcile: d.Reconcile, enforceCampaigns: d.EnforceCampaigns}
}

// MaxUpload is the largest document accepted, in bytes.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// Policy is the configured policy (council size, notice length).
func (s *Service) Policy() domain.Policy { return s.policy }

// Ping checks the read model answers.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Awards is the award catalogue.
func (s *Service) Awards() []domain.Award { return domain.Catalogue }

// UnitScoped reports whether a sees only its own unit's dossiers: someone
// holding role unit and no other role. Someone who also holds another role
// (say a unit head who sits on the council) sees what that role sees; the
// workflow still refuses unit actions on another unit's dossier.
func UnitScoped(a domain.Actor) bool {
	for _, r := range a.Roles {
		if r != domain.RoleUnit {
			return false
		}
	}
	return a.Has(domain.RoleUnit)
}

// Visible reports whether a may see a dossier of unit.
func Visible(a domain.Actor, unit string) bool { return !UnitScoped(a) || a.Unit == unit }

// temporalCtx bounds a Temporal call by TemporalTimeout.
func temporalCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, TemporalTimeout)
}

// seal signs a command to dossier id, when the service holds keys.
func (s *Service) seal(id string, c domain.Command) domain.Command {
	if s.sealer != nil {
		c.Seal = s.sealer.Seal(domain.CommandMessage(id, c))
	}
	return c
}
