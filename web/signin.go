package web

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/web/oidc"
)

// home sends each person to where their work is.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	a, ok := c.actor(r)
	switch {
	case !ok:
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	case app.UnitScoped(a):
		http.Redirect(w, r, "/dossiers", http.StatusSeeOther)
	case len(a.Roles) == 1 && a.Has(domain.RoleAdmin):
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/tasks", http.StatusSeeOther)
	}
}

type signinData struct {
	Dev  []domain.Actor
	OIDC bool
	Next string
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	d := signinData{Dev: c.devUsers, OIDC: c.oidc != nil, Next: oidc.LocalPath(r.URL.Query().Get("next"))}
	c.render(w, r, http.StatusOK, "signin", "Đăng nhập", d, "", nil)
}

// devSignin signs in as one of the demo users (tdkt dev only).
func (c *Console) devSignin(w http.ResponseWriter, r *http.Request) {
	if len(c.devUsers) == 0 {
		c.errorPage(w, r, http.StatusNotFound, "Đăng nhập bằng người dùng mẫu chỉ có khi chạy tdkt dev.")
		return
	}
	id := r.PostForm.Get("user")
	for _, u := range c.devUsers {
		if u.ID == id {
			c.startSession(w, r, u, oidc.LocalPath(r.PostForm.Get("next")))
			return
		}
	}
	d := signinData{Dev: c.devUsers, OIDC: c.oidc != nil, Next: oidc.LocalPath(r.PostForm.Get("next"))}
	c.render(w, r, http.StatusUnprocessableEntity, "signin", "Đăng nhập", d, "Hãy chọn một người dùng trong danh sách.",
		[]domain.FieldError{{Field: "user", Message: "Hãy chọn một người dùng trong danh sách"}})
}

// startSession signs a in: a new session token (no fixation), a new CSRF
// token, then on to next.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, a domain.Actor, next string) {
	ctx := r.Context()
	if err := c.sm.RenewToken(ctx); err != nil {
		c.failPage(w, r, err)
		return
	}
	raw, err := json.Marshal(a)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.sm.Put(ctx, keyActor, string(raw))
	c.sm.Put(ctx, keyCSRF, rand.Text())
	c.log.Info("console sign-in", "user", a.ID, "roles", a.Roles)
	if next == "/" || next == "/signin" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request) {
	if err := c.sm.Destroy(r.Context()); err != nil {
		c.failPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// oidcStart sends the person to the identity provider.
func (c *Console) oidcStart(w http.ResponseWriter, r *http.Request) {
	if c.oidc == nil {
		c.errorPage(w, r, http.StatusNotFound, "Đăng nhập qua nhà cung cấp định danh chưa được cấu hình (TDKT_OIDC_ISSUER).")
		return
	}
	u := c.oidc.AuthURL(r.Context(), c.sm, oidc.LocalPath(r.URL.Query().Get("next")))
	http.Redirect(w, r, u, http.StatusFound)
}

// oidcCallback is where the identity provider sends the person back.
func (c *Console) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if c.oidc == nil {
		c.errorPage(w, r, http.StatusNotFound, "Đăng nhập qua nhà cung cấp định danh chưa được cấu hình (TDKT_OIDC_ISSUER).")
		return
	}
	a, next, err := c.oidc.Finish(r.Context(), c.sm, r.URL.Query())
	if err != nil {
		c.log.Warn("console OIDC sign-in refused", "error", err)
		msg := "Đăng nhập không thành công. Vui lòng thử lại."
		var oe *oidc.Error
		if errors.As(err, &oe) && oe.Vi != "" {
			msg = oe.Vi
		}
		c.errorPage(w, r, http.StatusUnauthorized, msg)
		return
	}
	c.startSession(w, r, a, next)
}
