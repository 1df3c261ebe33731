package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
)

// The yearly plan (API.md, Wave 2): campaigns, and the reports.

// listCampaigns: GET /api/v1/campaigns?year=&kind= (any signed-in role).
func (s *Server) listCampaigns(c *gin.Context) {
	f, fe := app.ParseCampaignQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	cs, err := s.app.Campaigns(c.Request.Context(), mustActor(c), f)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, itemsOf[domain.Campaign]{Items: cs})
}

// getCampaign: GET /api/v1/campaigns/{code}.
func (s *Server) getCampaign(c *gin.Context) {
	v, err := s.app.Campaign(c.Request.Context(), mustActor(c), c.Param("code"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// createCampaign: POST /api/v1/campaigns (officer); the code is the key,
// a second POST of it is 409.
func (s *Server) createCampaign(c *gin.Context) {
	if !mustActor(c).Has(domain.RoleOfficer) {
		fail(c, http.StatusForbidden, "only an officer creates a campaign")
		return
	}
	var r domain.Campaign
	if !decodeJSON(c, &r, false) {
		return
	}
	v, err := s.app.CreateCampaign(c.Request.Context(), mustActor(c), r)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/campaigns/"+url.PathEscape(v.Code))
	c.JSON(http.StatusCreated, v)
}

// reportSummary: GET /api/v1/reports/summary?year=&campaign=&unit=&award=
// (officer, chairman, admin): JSON, or CSV or XLSX by Accept.
func (s *Server) reportSummary(c *gin.Context) {
	if !app.MayReadReports(mustActor(c)) {
		fail(c, http.StatusForbidden, "only an officer, the chairman or an administrator reads reports")
		return
	}
	q, fe := app.ParseReportQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	sm, err := s.app.ReportSummary(c.Request.Context(), mustActor(c), q)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Header("Vary", "Accept")
	switch reportFormat(c.GetHeader("Accept")) {
	case app.CSVType:
		b, err := sm.CSV()
		if err != nil {
			s.internal(c, "report as CSV", err)
			return
		}
		c.Header("Content-Disposition", app.ContentDisposition("attachment", sm.ReportFileName("csv")))
		c.Data(http.StatusOK, app.CSVType+"; charset=utf-8", b)
	case app.XLSXType:
		b, err := sm.XLSX()
		if err != nil {
			s.internal(c, "report as XLSX", err)
			return
		}
		c.Header("Content-Disposition", app.ContentDisposition("attachment", sm.ReportFileName("xlsx")))
		c.Data(http.StatusOK, app.XLSXType, b)
	default:
		c.JSON(http.StatusOK, sm)
	}
}

// reportFormat is the first of CSV, XLSX or JSON an Accept header names
// (JSON when it names none of them).
func reportFormat(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case app.CSVType, app.XLSXType:
			return mt
		case "application/json", "application/*", "*/*":
			return "application/json"
		}
	}
	return "application/json"
}
