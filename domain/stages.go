package domain

// Stage is where a dossier is in its procedure. A finished dossier's stage is
// its terminal status word.
type Stage string

const (
	// Reception is tiếp nhận: the emulation office checks the dossier is complete.
	Reception Stage = "reception"
	// Supplement is bổ sung: the unit completes a returned dossier.
	Supplement Stage = "supplement"
	// Appraisal is thẩm định, done by the emulation office.
	Appraisal Stage = "appraisal"
	// PublicNotice is công khai: the candidate list is published for comment.
	PublicNotice Stage = "public_notice"
	// Council is Hội đồng xét: the provincial council votes.
	Council Stage = "council"
	// Decision is the provincial chairman's decision (UBND tỉnh).
	Decision Stage = "decision"
	// CentralAppraisal is the Central Board's appraisal (Ban TĐKT Trung ương).
	CentralAppraisal Stage = "central_appraisal"
	// PMDecision is the Prime Minister's decision (Thủ tướng Chính phủ).
	PMDecision Stage = "pm_decision"
	// PresidentDecision is the President's decision (Chủ tịch nước).
	PresidentDecision Stage = "president_decision"

	Awarded   Stage = "awarded"
	Rejected  Stage = "rejected"
	Withdrawn Stage = "withdrawn"
	Cancelled Stage = "cancelled"
)

// StageInfo is what the engine knows of a stage.
type StageInfo struct {
	Stage Stage
	// Name is the Vietnamese name shown to users.
	Name string
	// WaitsOn are the roles whose inbox shows a dossier in this stage.
	WaitsOn []Role
	// DueDays is the default time allowed, in working days; 0 means no due date.
	DueDays  int
	Terminal bool
}

// Stages lists every stage in procedure order, terminal ones last.
var Stages = []StageInfo{
	{Stage: Reception, Name: "Tiếp nhận", WaitsOn: []Role{RoleOfficer}, DueDays: 5},
	{Stage: Supplement, Name: "Bổ sung", WaitsOn: []Role{RoleUnit}, DueDays: 10},
	{Stage: Appraisal, Name: "Thẩm định", WaitsOn: []Role{RoleOfficer}, DueDays: 15},
	{Stage: PublicNotice, Name: "Công khai", DueDays: 0},
	{Stage: Council, Name: "Hội đồng xét", WaitsOn: []Role{RoleCouncil, RoleSecretary}, DueDays: 20},
	{Stage: Decision, Name: "UBND tỉnh quyết định", WaitsOn: []Role{RoleChairman}, DueDays: 10},
	{Stage: CentralAppraisal, Name: "Ban TĐKT Trung ương thẩm định", WaitsOn: []Role{RoleOfficer}, DueDays: 20},
	{Stage: PMDecision, Name: "Thủ tướng quyết định", WaitsOn: []Role{RoleOfficer}, DueDays: 20},
	{Stage: PresidentDecision, Name: "Chủ tịch nước quyết định", WaitsOn: []Role{RoleOfficer}, DueDays: 20},
	{Stage: Awarded, Name: "Đã khen thưởng", Terminal: true},
	{Stage: Rejected, Name: "Không khen thưởng", Terminal: true},
	{Stage: Withdrawn, Name: "Đã rút", Terminal: true},
	{Stage: Cancelled, Name: "Đã hủy", Terminal: true},
}

// Info returns the stage's description; ok is false for an unknown stage.
func Info(s Stage) (StageInfo, bool) {
	for _, i := range Stages {
		if i.Stage == s {
			return i, true
		}
	}
	return StageInfo{}, false
}

// Terminal reports whether s ends the dossier.
func (s Stage) Terminal() bool {
	i, ok := Info(s)
	return ok && i.Terminal
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { _, ok := Info(s); return ok }

// Status is a dossier's overall status: active or one of the terminal words.
type Status string

const (
	StatusActive    Status = "active"
	StatusAwarded   Status = "awarded"
	StatusRejected  Status = "rejected"
	StatusWithdrawn Status = "withdrawn"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status.
var Statuses = []Status{StatusActive, StatusAwarded, StatusRejected, StatusWithdrawn, StatusCancelled}

// StatusOf gives the status that goes with a stage.
func StatusOf(s Stage) Status {
	if s.Terminal() {
		return Status(s)
	}
	return StatusActive
}

// StagesWaitingOn lists the non-terminal stages whose inbox includes role r.
func StagesWaitingOn(r Role) []Stage {
	var out []Stage
	for _, i := range Stages {
		for _, w := range i.WaitsOn {
			if w == r {
				out = append(out, i.Stage)
			}
		}
	}
	return out
}
