package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"tdkt/app"
	"tdkt/domain"
)

// The council's roster page (/council): everyone but a unit reads it; the
// administrator adds, changes and removes members.

type councilData struct {
	Members []domain.CouncilMember
	// Size is the council's size votes are counted on; Mismatch, a roster
	// with members but not that many.
	Size     int
	Mismatch bool
	MayEdit  bool
	// Form is the add-or-change form's values.
	Form domain.CouncilMember
}

// council is the roster page: GET /council (?id= fills the form with that
// member's entry, to change it).
func (c *Console) council(w http.ResponseWriter, r *http.Request) {
	c.renderCouncil(w, r, http.StatusOK, domain.CouncilMember{ID: r.URL.Query().Get("id")}, "", nil)
}

func (c *Console) renderCouncil(w http.ResponseWriter, r *http.Request, status int, form domain.CouncilMember, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	ms, err := c.app.CouncilRoster(r.Context(), a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	if form.ID != "" && form.Name == "" && problem == "" {
		for _, m := range ms {
			if m.ID == form.ID {
				form = m
			}
		}
	}
	size := c.app.Policy().CouncilMembers
	d := councilData{Members: ms, Size: size, Mismatch: len(ms) > 0 && len(ms) != size, MayEdit: a.Has(domain.RoleAdmin), Form: form}
	c.render(w, r, status, "council", "Thành viên Hội đồng Thi đua - Khen thưởng", d, problem, errs)
}

// putMember: POST /council (admin), a member's id, name, position and
// order.
func (c *Console) putMember(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	m := domain.CouncilMember{ID: strings.TrimSpace(f.Get("id")), Name: f.Get("name"), Position: f.Get("position")}
	order, convErr := strconv.Atoi(strings.TrimSpace(f.Get("order")))
	if strings.TrimSpace(f.Get("order")) == "" {
		order, convErr = 0, nil
	}
	m.Order = order
	if convErr != nil {
		m.Order = -1 // refused by the check, with the other fields' errors
	}
	saved, created, err := c.app.PutCouncilMember(r.Context(), actorOf(r), m.ID, m)
	if err != nil {
		if app.AsError(err).Kind == domain.ErrInvalid {
			msg, fields := app.Vietnamese(err)
			c.renderCouncil(w, r, statusOf(err), m, msg, fields)
			return
		}
		c.failPage(w, r, err)
		return
	}
	verb := "Đã cập nhật"
	if created {
		verb = "Đã thêm"
	}
	c.flash(r, fmt.Sprintf("%s thành viên %s vào danh sách Hội đồng.", verb, saved.Name))
	http.Redirect(w, r, "/council", http.StatusSeeOther)
}

// removeMember: POST /council/remove (admin), the member's id.
func (c *Console) removeMember(w http.ResponseWriter, r *http.Request) {
	id := r.PostForm.Get("id")
	if err := c.app.RemoveCouncilMember(r.Context(), actorOf(r), id); err != nil {
		if app.AsError(err).Kind == domain.ErrNotFound {
			msg, fields := app.Vietnamese(err)
			c.renderCouncil(w, r, statusOf(err), domain.CouncilMember{}, msg, fields)
			return
		}
		c.failPage(w, r, err)
		return
	}
	c.flash(r, "Đã bỏ thành viên "+id+" khỏi danh sách Hội đồng. Biên bản các phiên họp đã kết thúc không thay đổi.")
	http.Redirect(w, r, "/council", http.StatusSeeOther)
}
