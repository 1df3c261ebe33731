package domain

import "time"

// VotesView is what anyone may see of a vote: how many have voted while it is
// open, the tally once it has closed.
type VotesView struct {
	Cast    int `json:"cast"`
	Members int `json:"members"`
	Needed  int `json:"needed"`
	// Quorum is how many members must have voted for the vote to close.
	Quorum int  `json:"quorum"`
	Yes    *int `json:"yes"`
	No     *int `json:"no"`
	// Abstain is shown, once the vote closed, when a council session's
	// ballot let members abstain.
	Abstain *int `json:"abstain,omitempty"`
}

// View is the dossier object of the HTTP API, without the caller-specific
// allowed_actions. It holds nothing secret: it is what the read model stores.
type View struct {
	ID                string         `json:"id"`
	Unit              string         `json:"unit"`
	AwardCode         string         `json:"award_code"`
	AwardName         string         `json:"award_name"`
	Authority         Authority      `json:"authority"`
	Kind              Kind           `json:"kind"`
	Procedure         Procedure      `json:"procedure"`
	Campaign          string         `json:"campaign"`
	AchievementPeriod string         `json:"achievement_period"`
	Nominee           Nominee        `json:"nominee"`
	Summary           string         `json:"summary"`
	Stage             Stage          `json:"stage"`
	Status            Status         `json:"status"`
	Version           int64          `json:"version"`
	DueAt             *time.Time     `json:"due_at"`
	Overdue           bool           `json:"overdue"`
	ReturnedFrom      *Stage         `json:"returned_from"`
	Votes             *VotesView     `json:"votes,omitempty"`
	Decision          *Issued        `json:"decision,omitempty"`
	Proposal          *Issued        `json:"proposal,omitempty"`
	CentralProposal   *Issued        `json:"central_proposal,omitempty"`
	Documents         []Document     `json:"documents"`
	MissingDocuments  []DocumentKind `json:"missing_documents"`
	AllowedActions    []Action       `json:"allowed_actions"`
	// CouncilSession is the open council session whose agenda holds the
	// dossier (it is voted only through it); set when the dossier is read
	// alone, never stored.
	CouncilSession string `json:"council_session,omitempty"`
	// Hold is the discipline-review hold on a running dossier's nominee
	// (filled in by the application layer, never by the workflow): while
	// it stands the dossier may not be decided.
	Hold *Hold `json:"hold,omitempty"`
	// RuleSet names the rules the dossier is judged by, with the day they
	// came into force (those in force when it was received).
	RuleSet   string    `json:"rule_set,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// View gives the public view of the dossier.
func (d *Dossier) View() View {
	a := d.award()
	v := View{ID: d.ID, Unit: d.Unit, AwardCode: d.AwardCode, AwardName: a.Name, Authority: d.Authority,
		Kind: d.Kind, Procedure: d.Procedure, Campaign: d.Campaign, AchievementPeriod: d.AchievementPeriod,
		Nominee: d.Nominee, Summary: d.Summary, Stage: d.Stage, Status: d.Status, Version: d.Version,
		DueAt: d.DueAt, Overdue: d.Overdue, Decision: d.Decision, Proposal: d.Proposal,
		CentralProposal: d.CentralProposal, Documents: append([]Document{}, d.Documents...),
		MissingDocuments: d.MissingDocuments(), AllowedActions: []Action{},
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if d.Rules != nil {
		v.RuleSet = d.Rules.Name + " (" + d.Rules.Effective + ")"
	}
	if d.ReturnedFrom != "" {
		rf := d.ReturnedFrom
		v.ReturnedFrom = &rf
	}
	if b := d.Ballot; b != nil {
		vv := &VotesView{Cast: b.Cast(), Members: b.Members, Needed: b.Needed, Quorum: b.Quorum}
		if b.Closed {
			yes, no := b.Yes, b.No
			vv.Yes, vv.No = &yes, &no
			if b.Abstain > 0 {
				abstain := b.Abstain
				vv.Abstain = &abstain
			}
		}
		v.Votes = vv
	}
	return v
}

// AllowedFor lists the public actions actor may take on a dossier known only
// by its view (the read model); hasVoted says whether the actor already voted
// in the open council vote. It reads the same table as Validate.
func (v View) AllowedFor(a Actor, hasVoted bool) []Action {
	d := &Dossier{ID: v.ID, Unit: v.Unit, Authority: v.Authority, Stage: v.Stage, Status: v.Status, Version: v.Version,
		Documents: v.Documents, missing: v.MissingDocuments}
	if d.missing == nil {
		d.missing = []DocumentKind{}
	}
	d.AwardCode, d.Procedure = v.AwardCode, v.Procedure
	if v.ReturnedFrom != nil {
		d.ReturnedFrom = *v.ReturnedFrom
	}
	if v.Votes != nil {
		quorum := v.Votes.Quorum
		if quorum == 0 { // views stored before the quorum was shown
			quorum = (2*v.Votes.Members + 2) / 3
		}
		// Who voted is not in the view (a secret ballot): how many is.
		voters := make([]string, v.Votes.Cast)
		for i := range voters {
			voters[i] = "\x00someone"
		}
		if hasVoted {
			if len(voters) > 0 {
				voters[0] = a.ID
			} else {
				voters = append(voters, a.ID)
			}
		}
		d.Ballot = &Ballot{Members: v.Votes.Members, Needed: v.Votes.Needed, Quorum: quorum, Voters: voters, Closed: v.Votes.Yes != nil}
	}
	return d.AllowedActions(a)
}

// AllowedKey is everything of a view that AllowedFor reads, as it bears on
// one actor, and whether the actor voted: views with the same key get the
// same actions from that actor, so a list works each key out once.
// (AllowedFor reads neither the id nor the version, nor the documents
// beyond which are missing, and of the unit only whether it is the actor's.)
type AllowedKey struct {
	OwnUnit               bool
	AwardCode             string
	Authority             Authority
	Procedure             Procedure
	Stage, ReturnedFrom   Stage
	Status                Status
	Votes                 bool
	Cast, Members, Needed int
	Quorum                int
	Closed                bool
	Missing               string
	HasVoted              bool
}

// AllowedKey is v's key for AllowedFor(a, hasVoted).
func (v View) AllowedKey(a Actor, hasVoted bool) AllowedKey {
	k := AllowedKey{OwnUnit: v.Unit == a.Unit, AwardCode: v.AwardCode, Authority: v.Authority, Procedure: v.Procedure,
		Stage: v.Stage, Status: v.Status, HasVoted: hasVoted}
	if v.ReturnedFrom != nil {
		k.ReturnedFrom = *v.ReturnedFrom
	}
	if b := v.Votes; b != nil {
		k.Votes, k.Cast, k.Members, k.Needed, k.Quorum, k.Closed = true, b.Cast, b.Members, b.Needed, b.Quorum, b.Yes != nil
	}
	for i, m := range v.MissingDocuments {
		if i > 0 {
			k.Missing += ","
		}
		k.Missing += string(m)
	}
	return k
}
