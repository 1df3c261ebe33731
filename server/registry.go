package server

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/domain"
)

// The unit directory and the award registry (API.md, Wave 2; issue 13).

// listUnits: GET /api/v1/units (any role), filtered by kind and block.
func (s *Server) listUnits(c *gin.Context) {
	us, err := s.app.UnitsOf(c.Request.Context(), mustActor(c), c.Query("kind"), c.Query("block"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": us})
}

// createUnit: POST /api/v1/units (admin).
func (s *Server) createUnit(c *gin.Context) {
	var u domain.Unit
	if !decodeJSON(c, &u, false) {
		return
	}
	out, err := s.app.CreateUnit(c.Request.Context(), mustActor(c), u)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/units/"+url.PathEscape(out.Code))
	c.JSON(http.StatusCreated, out)
}

// updateUnit: PUT /api/v1/units/{code} (admin).
func (s *Server) updateUnit(c *gin.Context) {
	var u domain.Unit
	if !decodeJSON(c, &u, false) {
		return
	}
	out, err := s.app.UpdateUnit(c.Request.Context(), mustActor(c), c.Param("code"), u)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// listRegistry: GET /api/v1/registry (officer, admin; a unit its own).
func (s *Server) listRegistry(c *gin.Context) {
	f, fe := app.ParseRegistryQuery(c.Request.URL.Query())
	if len(fe) > 0 {
		invalid(c, fe...)
		return
	}
	items, next, err := s.app.Registry(c.Request.Context(), mustActor(c), f)
	if err != nil {
		s.answer(c, err)
		return
	}
	out := gin.H{"items": items}
	if next != "" {
		out["next_cursor"] = next
	}
	c.JSON(http.StatusOK, out)
}

// recordAward: POST /api/v1/registry (officer), one award.
func (s *Server) recordAward(c *gin.Context) {
	var r app.RegistryRecord
	if !decodeJSON(c, &r, false) {
		return
	}
	e, err := s.app.RecordAward(c.Request.Context(), mustActor(c), r)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}

// registryTemplate: GET /api/v1/registry/template?format=xlsx|csv.
func (s *Server) registryTemplate(c *gin.Context) {
	name, ct, data, err := s.app.RegistryTemplate(c.Request.Context(), mustActor(c), c.Query("format"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Content-Disposition", app.ContentDisposition("attachment", name))
	c.Data(http.StatusOK, ct, data)
}

// importRegistry: POST /api/v1/registry/imports (officer), multipart field
// "file": an XLSX or CSV of awards, recorded all or nothing. 200 with how
// many rows were recorded; 422 with each refused row and its reason.
func (s *Server) importRegistry(c *gin.Context) {
	a := mustActor(c)
	if !a.Has(domain.RoleOfficer) {
		// Refused before the body is read.
		s.answer(c, &app.Error{Kind: domain.ErrForbidden, Detail: "only the emulation office imports awards into the registry"})
		return
	}
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		fail(c, http.StatusUnsupportedMediaType, "the body must be multipart/form-data with the field file")
		return
	}
	limit := s.maxUpload + app.MultipartOverhead
	if c.Request.ContentLength > limit {
		fail(c, http.StatusRequestEntityTooLarge, "a spreadsheet may be at most %d MB", s.maxUpload>>20)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(c, http.StatusRequestEntityTooLarge, "a spreadsheet may be at most %d MB", s.maxUpload>>20)
				return
			}
			fail(c, http.StatusBadRequest, "the multipart body could not be read")
			return
		}
		if part.FormName() == "file" {
			if data != nil {
				invalid(c, domain.FieldError{Field: "file", Message: "send one file per request"})
				return
			}
			data, err = io.ReadAll(io.LimitReader(part, s.maxUpload+1))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) || int64(len(data)) > s.maxUpload {
				fail(c, http.StatusRequestEntityTooLarge, "a spreadsheet may be at most %d MB", s.maxUpload>>20)
				return
			}
			if err != nil {
				fail(c, http.StatusBadRequest, "the file could not be read")
				return
			}
			if data == nil {
				data = []byte{}
			}
		}
		part.Close()
	}
	if data == nil {
		invalid(c, domain.FieldError{Field: "file", Message: "is required"})
		return
	}
	res, err := s.app.ImportRegistry(c.Request.Context(), a, data)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
