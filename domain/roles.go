package domain

// Role is a token role (claim "roles").
type Role string

const (
	// RoleUnit is a submitting unit (cơ quan, đơn vị, địa phương), scoped by the token's unit claim.
	RoleUnit Role = "unit"
	// RoleOfficer is an emulation office specialist (chuyên viên TĐKT, Sở Nội vụ).
	RoleOfficer Role = "officer"
	// RoleCouncil is a member of the provincial council (thành viên Hội đồng TĐKT tỉnh).
	RoleCouncil Role = "council"
	// RoleSecretary is the council secretary (thư ký Hội đồng).
	RoleSecretary Role = "secretary"
	// RoleChairman is the Chairman of the Provincial People's Committee (Chủ tịch UBND tỉnh).
	RoleChairman Role = "chairman"
	// RoleAdmin is the system administrator.
	RoleAdmin Role = "admin"
	// RoleSystem is the engine itself: timers, automatic closes, overdue flags.
	RoleSystem Role = "system"
)

// Roles lists the roles a token may carry, in a stable order.
var Roles = []Role{RoleUnit, RoleOfficer, RoleCouncil, RoleSecretary, RoleChairman, RoleAdmin}

// ValidRole reports whether r is a role a token may carry.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is whoever takes an action: a person from a token, or the system.
type Actor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Roles []Role `json:"roles"`
	Unit  string `json:"unit,omitempty"`
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// SystemActor is the engine acting on its own (timers, automatic vote close).
var SystemActor = Actor{ID: "system", Name: "Hệ thống", Roles: []Role{RoleSystem}}
