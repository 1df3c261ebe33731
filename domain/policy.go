package domain

// Policy is the configuration a dossier runs under. It travels in the
// workflow's input, so a running dossier keeps the rules it started with.
type Policy struct {
	// CouncilMembers is the council's size, the base of vote thresholds.
	CouncilMembers int `json:"council_members"`
	// PublicNoticeDays is the public notice's length in working days; 0 skips it.
	PublicNoticeDays int `json:"public_notice_days"`
	// StageDays overrides a stage's default due time in working days.
	StageDays map[Stage]int `json:"stage_days,omitempty"`
	Calendar  Calendar      `json:"calendar"`
}

// DefaultPolicy is the policy with DOMAIN.md's defaults.
func DefaultPolicy() Policy {
	return Policy{CouncilMembers: 9, PublicNoticeDays: 10, Calendar: DefaultCalendar()}
}

// DueDays is the time allowed in stage s, in working days (0: no due date).
func (p Policy) DueDays(s Stage) int {
	if s == PublicNotice {
		return p.PublicNoticeDays
	}
	if n, ok := p.StageDays[s]; ok {
		return n
	}
	i, _ := Info(s)
	return i.DueDays
}

// Quorum is how many members must vote for a vote to count: two thirds.
func (p Policy) Quorum() int { return (2*p.CouncilMembers + 2) / 3 }
