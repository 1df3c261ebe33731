package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
)

// Emulation registrations (đăng ký thi đua) and the reminders' outbox
// (API.md, Wave 2; issue 14).

// registrationRequest is the body of POST /api/v1/registrations.
type registrationRequest struct {
	Year      int            `json:"year"`
	Unit      string         `json:"unit"`
	Nominee   domain.Nominee `json:"nominee"`
	AwardCode string         `json:"award_code"`
}

// registrationList is the answer of GET /api/v1/registrations: the items,
// and the year's deadline when the query names a year.
type registrationList struct {
	Items    []domain.Registration `json:"items"`
	Deadline string                `json:"deadline,omitempty"`
}

// listRegistrations: GET /api/v1/registrations?year=&unit=&award= (a unit
// its own; officer, chairman, admin all).
func (s *Server) listRegistrations(c *gin.Context) {
	if !app.MayReadRegistrations(mustActor(c)) {
		fail(c, http.StatusForbidden, "only a unit (its own), an officer, the chairman or an administrator reads registrations")
		return
	}
	f, fe := app.ParseRegistrationQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	rs, err := s.app.Registrations(c.Request.Context(), mustActor(c), f)
	if err != nil {
		s.answer(c, err)
		return
	}
	out := registrationList{Items: rs}
	if f.Year != 0 {
		if out.Deadline, err = s.app.RegistrationDeadline(c.Request.Context(), f.Year); err != nil {
			s.answer(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, out)
}

// createRegistration: POST /api/v1/registrations (unit, own unit): 201; a
// nominee already registered for the title that year is 409, after the
// year's deadline 422 naming "year".
func (s *Server) createRegistration(c *gin.Context) {
	var r registrationRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	v, err := s.app.Register(c.Request.Context(), mustActor(c),
		domain.Registration{Year: r.Year, Unit: r.Unit, Nominee: r.Nominee, AwardCode: r.AwardCode})
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/registrations?year="+strconv.Itoa(v.Year)+"&unit="+v.Unit)
	c.JSON(http.StatusCreated, v)
}

// setRegistrationDeadline: PUT /api/v1/registration-deadlines/{year}
// (officer): {"closes":"YYYY-MM-DD"}.
func (s *Server) setRegistrationDeadline(c *gin.Context) {
	var r struct {
		Closes string `json:"closes"`
	}
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		invalid(c, domain.FieldError{Field: "year", Message: "must be a year from 2000 to 2100"})
		return
	}
	if !decodeJSON(c, &r, false) {
		return
	}
	closes, err := s.app.SetRegistrationDeadline(c.Request.Context(), mustActor(c), year, r.Closes)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"year": year, "closes": closes})
}

// sentReminders: GET /api/v1/reminders/sent (admin): the outbox.
func (s *Server) sentReminders(c *gin.Context) {
	out, err := s.app.SentReminders(c.Request.Context(), mustActor(c))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
