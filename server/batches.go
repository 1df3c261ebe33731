package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"tdkt/app"
	"tdkt/workflows"
)

// Batches (API.md, Wave 2): one decision or proposal for many dossiers.

func batchETag(v workflows.BatchView) string { return `"` + strconv.FormatInt(v.Version, 10) + `"` }

// createBatch drafts a batch: POST /api/v1/batches (officer).
func (s *Server) createBatch(c *gin.Context) {
	var r app.BatchRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	v, existed, err := s.app.CreateBatchKeyed(c.Request.Context(), mustActor(c), c.GetHeader("Idempotency-Key"), r)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Location", "/api/v1/batches/"+url.PathEscape(v.ID))
	c.Header("ETag", batchETag(v))
	c.JSON(created(existed), v)
}

// listBatches: GET /api/v1/batches.
func (s *Server) listBatches(c *gin.Context) {
	vs, err := s.app.ListBatches(c.Request.Context(), mustActor(c), app.MaxLimit)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": vs, "next_cursor": ""})
}

// getBatch: GET /api/v1/batches/{id}.
func (s *Server) getBatch(c *gin.Context) {
	v, err := s.app.Batch(c.Request.Context(), mustActor(c), c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", batchETag(v))
	c.JSON(http.StatusOK, v)
}

// editBatch: PATCH /api/v1/batches/{id} (officer, If-Match).
func (s *Server) editBatch(c *gin.Context) {
	want, ok := ifMatch(c)
	if !ok {
		return
	}
	var r app.BatchEditRequest
	if !decodeJSON(c, &r, false) {
		return
	}
	r.IfMatch = want
	v, err := s.app.EditBatch(c.Request.Context(), mustActor(c), c.Param("id"), r)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", batchETag(v))
	c.JSON(http.StatusOK, v)
}

// signBatch: POST /api/v1/batches/{id}/actions/sign.
func (s *Server) signBatch(c *gin.Context) {
	want, ok := ifMatch(c)
	if !ok {
		return
	}
	v, err := s.app.SignBatch(c.Request.Context(), mustActor(c), c.Param("id"), want)
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("ETag", batchETag(v))
	c.JSON(http.StatusOK, v)
}

// batchDocument: GET /api/v1/batches/{id}/document, the signed PDF.
func (s *Server) batchDocument(c *gin.Context) {
	name, pdf, err := s.app.BatchDocument(c.Request.Context(), mustActor(c), c.Param("id"))
	if err != nil {
		s.answer(c, err)
		return
	}
	c.Header("Content-Disposition", app.ContentDisposition("attachment", name))
	c.Data(http.StatusOK, "application/pdf", pdf)
}
