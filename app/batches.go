package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"tdkt/domain"
	"tdkt/pdfdoc"
	"tdkt/store"
	"tdkt/workflows"
)

// MoveInBatch takes dossier id through batch's decide or propose, signed
// by a, the way the API sends an action: marked, sealed, sent as the update
// "batch-<batch>-<id>" (so an activity retried after a worker died moves it
// once: Temporal answers a repeated update id with its first outcome), and
// its outcome written into the read model. moved is false, with the reason
// in Vietnamese, when the dossier refused it (it left the stage the batch
// expects, say) or no longer runs; err is for what may work if retried.
func (s *Service) MoveInBatch(ctx context.Context, a domain.Actor, id string, kind workflows.BatchKind, batch, number, date string) (moved bool, reason string, err error) {
	cmd := domain.Command{Action: kind.Action(), Actor: a, Batch: batch, Number: number, Date: date}
	// A held nominee is not decided: dropped with the reason, unless an
	// earlier attempt already moved the dossier (then the update's first
	// outcome answers).
	if v, gerr := s.store.GetDossier(ctx, id); gerr == nil && batchStage(kind, v.Stage) {
		if herr := s.heldRefusal(ctx, v, cmd.Action); herr != nil {
			var e *Error
			if errors.As(herr, &e) && e.Kind == domain.ErrConflict {
				return false, e.VI, nil
			}
			return false, "", herr
		}
	}
	_, err = s.sendAs(ctx, id, "batch-"+batch+"-"+id, cmd)
	if err == nil {
		return true, "", nil
	}
	if e, ok := workflows.AsRefusal(err); ok {
		vi, _ := Vietnamese(fromDomain(e, cmd.Action))
		return false, vi, nil
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, "Hồ sơ không còn được xử lý (đã kết thúc hoặc không tồn tại).", nil
	}
	return false, "", err
}

// BatchRequest drafts a batch (officer): what the API's POST takes.
type BatchRequest struct {
	Kind     workflows.BatchKind `json:"kind"`
	Title    string              `json:"title"`
	Dossiers []string            `json:"dossiers"`
	// Number and Date are the central authority's (central_decision).
	Number string `json:"number"`
	Date   string `json:"date"`
}

// BatchEditRequest edits a draft (officer): a title, the dossiers, or both.
type BatchEditRequest struct {
	Title    *string  `json:"title"`
	Dossiers []string `json:"dossiers"`
	IfMatch  int64    `json:"-"`
}

// mayReadBatches: officers, the chairman and administrators.
func mayReadBatches(a domain.Actor) bool {
	return a.Has(domain.RoleOfficer) || a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin)
}

// expects says whether dossier v may be in a batch of kind k.
func expects(k workflows.BatchKind, v domain.View) string {
	switch k {
	case workflows.BatchDecision:
		if v.Stage != domain.Decision || v.Authority != domain.AuthorityProvince {
			return "a decision batch takes province awards in stage decision"
		}
	case workflows.BatchProposal:
		if v.Stage != domain.Decision || v.Authority == domain.AuthorityProvince {
			return "a proposal batch takes Prime Minister's and President's awards in stage decision"
		}
	case workflows.BatchCentralDecision:
		if v.Stage != domain.PMDecision && v.Stage != domain.PresidentDecision {
			return "a central decision batch takes dossiers in pm_decision or president_decision"
		}
	}
	return ""
}

// checkBatchDossiers refuses dossiers that do not exist, are not in the
// stage a batch of kind k takes, or are held by another draft batch.
func (s *Service) checkBatchDossiers(ctx context.Context, k workflows.BatchKind, ids []string, except string) error {
	if err := workflows.CheckBatchDossiers(ids); err != nil {
		e, _ := workflows.AsRefusal(err)
		return fromDomain(e, "")
	}
	views, fe, err := s.listedDossiers(ctx, ids)
	if err != nil {
		return err
	}
	for _, v := range views {
		if why := expects(k, v); why != "" {
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: v.ID + ": " + why})
		}
	}
	if len(fe) > 0 {
		return invalid(fe...)
	}
	held, err := s.batches().DraftBatchesOf(ctx, ids, except)
	if err != nil {
		return failure("draft batches", err)
	}
	for _, id := range ids {
		if b, ok := held[id]; ok {
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: id + " is already in draft batch " + b})
		}
	}
	if len(fe) > 0 {
		return invalid(fe...)
	}
	return nil
}

// listedDossiers reads the dossiers a batch or an agenda lists, in order;
// each id that names none is a field error of "dossiers".
func (s *Service) listedDossiers(ctx context.Context, ids []string) ([]domain.View, []domain.FieldError, error) {
	var views []domain.View
	var fe []domain.FieldError
	for _, id := range ids {
		if !ValidID(id) {
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: "no such dossier " + id})
			continue
		}
		v, err := s.store.GetDossier(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: "no such dossier " + id})
			continue
		}
		if err != nil {
			return nil, nil, failure("read dossier", err)
		}
		views = append(views, v)
	}
	return views, fe, nil
}

// batchStore is what the batch use cases need of the read model.
type batchStore interface {
	NextBatchID(ctx context.Context, year int) (string, error)
	PutBatch(ctx context.Context, b store.BatchRow, dossiers []string) error
	GetBatch(ctx context.Context, id string) (store.BatchRow, error)
	ListBatches(ctx context.Context, limit int) ([]store.BatchRow, error)
	DraftBatchesOf(ctx context.Context, dossiers []string, except string) (map[string]string, error)
}

var _ batchStore = (*store.Store)(nil)

func (s *Service) batches() batchStore {
	if b, ok := s.store.(batchStore); ok {
		return b
	}
	return noBatches{}
}

// noBatches is a read model without batches (handler tests' fake).
type noBatches struct{}

var errNoBatches = errors.New("this read model holds no batches")

func (noBatches) NextBatchID(context.Context, int) (string, error) { return "", errNoBatches }
func (noBatches) PutBatch(context.Context, store.BatchRow, []string) error {
	return errNoBatches
}
func (noBatches) GetBatch(context.Context, string) (store.BatchRow, error) {
	return store.BatchRow{}, store.ErrNotFound
}
func (noBatches) ListBatches(context.Context, int) ([]store.BatchRow, error) { return nil, nil }
func (noBatches) DraftBatchesOf(context.Context, []string, string) (map[string]string, error) {
	return nil, nil
}

// putBatch writes a batch view into the read model.
func (s *Service) putBatch(ctx context.Context, v workflows.BatchView) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.batches().PutBatch(ctx, store.BatchRow{ID: v.ID, Kind: string(v.Kind), Title: v.Title, Status: v.Status,
		Version: v.Version, Number: v.Number, CreatedAt: v.CreatedAt, View: raw}, v.Dossiers)
}

// CreateBatch drafts a batch (officer).
func (s *Service) CreateBatch(ctx context.Context, a domain.Actor, r BatchRequest) (workflows.BatchView, error) {
	v, _, err := s.CreateBatchKeyed(ctx, a, "", r)
	return v, err
}

// CreateBatchKeyed is CreateBatch with an Idempotency-Key: a repeated
// request answers with the batch the first drafted (existed true).
func (s *Service) CreateBatchKeyed(ctx context.Context, a domain.Actor, key string, r BatchRequest) (_ workflows.BatchView, existed bool, _ error) {
	if !a.Has(domain.RoleOfficer) {
		return workflows.BatchView{}, false, refusal(domain.ErrForbidden, "only an officer drafts a batch")
	}
	var fe []domain.FieldError
	if !r.Kind.Valid() {
		fe = append(fe, domain.FieldError{Field: "kind", Message: "must be decision, proposal or central_decision"})
	}
	if e := CheckText("title", r.Title, MaxComment); e != nil {
		fe = append(fe, *e)
	} else if strings.TrimSpace(r.Title) == "" {
		fe = append(fe, domain.FieldError{Field: "title", Message: "is required"})
	}
	if r.Kind == workflows.BatchCentralDecision {
		if strings.TrimSpace(r.Number) == "" {
			fe = append(fe, domain.FieldError{Field: "number", Message: "the central authority's number is required"})
		}
		if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
			fe = append(fe, domain.FieldError{Field: "date", Message: "must be a date YYYY-MM-DD"})
		}
	} else if r.Number != "" || r.Date != "" {
		fe = append(fe, domain.FieldError{Field: "number", Message: "is issued when the batch is signed"})
	}
	if len(fe) > 0 {
		return workflows.BatchView{}, false, invalid(fe...)
	}
	k, err := s.keyed(ctx, "batch", a, key, r)
	if err != nil {
		return workflows.BatchView{}, false, err
	}
	if k.earlier != "" {
		v, err := s.repeatedBatch(ctx, a, k.earlier, r)
		return v, true, err
	}
	if err := s.checkBatchDossiers(ctx, r.Kind, r.Dossiers, ""); err != nil {
		return workflows.BatchView{}, false, err
	}
	id, err := s.batches().NextBatchID(ctx, s.now().In(domain.Local).Year())
	if err != nil {
		return workflows.BatchView{}, false, failure("batch id", err)
	}
	if winner, err := k.reserve(ctx, id); err != nil || winner != id {
		if err != nil {
			return workflows.BatchView{}, false, err
		}
		v, err := s.repeatedBatch(ctx, a, winner, r)
		return v, true, err
	}
	v, err := s.startBatch(ctx, a, id, r, enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
	return v, false, err
}

// startBatch starts batch id's workflow and writes it into the read model.
func (s *Service) startBatch(ctx context.Context, a domain.Actor, id string, r BatchRequest, policy enums.WorkflowIdConflictPolicy) (workflows.BatchView, error) {
	in := workflows.BatchInput{ID: id, Kind: r.Kind, Title: strings.TrimSpace(r.Title), Dossiers: r.Dossiers, By: a,
		Number: strings.TrimSpace(r.Number), Date: r.Date, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if s.sealer != nil {
		in.Seal = s.sealer.Seal(workflows.BatchMessage(id, "start", in))
	}
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	if _, err := s.temporal.ExecuteWorkflow(tctx, client.StartWorkflowOptions{ID: workflows.BatchWorkflowID(id), TaskQueue: s.taskQueue,
		WorkflowIDConflictPolicy: policy}, workflows.BatchWorkflowName, in); err != nil {
		return workflows.BatchView{}, failure("start the batch", err)
	}
	v := workflows.OpenedBatch(in)
	if policy != enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL {
		// The workflow may have been started before, with another input.
		q, err := s.temporal.QueryWorkflow(tctx, workflows.BatchWorkflowID(id), "", workflows.QueryState)
		if err == nil {
			err = q.Get(&v)
		}
		if err != nil {
			return workflows.BatchView{}, failure("read the batch", err)
		}
	}
	if err := s.putBatch(context.WithoutCancel(ctx), v); err != nil {
		return workflows.BatchView{}, notYetVisible("write the batch", err)
	}
	return v, nil
}

// repeatedBatch answers a repeated draft with the batch its key gave: from
// the read model or, if the first attempt did not get as far as writing
// it, by finishing what it began.
func (s *Service) repeatedBatch(ctx context.Context, a domain.Actor, id string, r BatchRequest) (workflows.BatchView, error) {
	v, err := s.Batch(ctx, a, id)
	if err == nil || AsError(err).Kind != domain.ErrNotFound {
		return v, err
	}
	if err := s.checkBatchDossiers(ctx, r.Kind, r.Dossiers, id); err != nil {
		return workflows.BatchView{}, err
	}
	return s.startBatch(ctx, a, id, r, enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
}

// Batch is one batch, as Temporal has it: a batch not yet signed is read
// from its workflow (and the read model caught up), a signed one from the
// read model.
func (s *Service) Batch(ctx context.Context, a domain.Actor, id string) (workflows.BatchView, error) {
	if !mayReadBatches(a) {
		return workflows.BatchView{}, refusal(domain.ErrForbidden, "your roles may not read batches")
	}
	row, err := s.batches().GetBatch(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.BatchView{}, refusal(domain.ErrNotFound, "no such batch")
	}
	if err != nil {
		return workflows.BatchView{}, failure("read batch", err)
	}
	var v workflows.BatchView
	if err := json.Unmarshal(row.View, &v); err != nil {
		return workflows.BatchView{}, failure("decode batch", err)
	}
	if v.Status == "signed" {
		return v, nil
	}
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	q, err := s.temporal.QueryWorkflow(tctx, workflows.BatchWorkflowID(id), "", workflows.QueryState)
	var cur workflows.BatchView
	if err == nil {
		err = q.Get(&cur)
	}
	if err != nil {
		s.log.WarnContext(ctx, "batch: read from Temporal", "batch", id, "error", err)
		return v, nil
	}
	if cur.Version > v.Version {
		if err := s.putBatch(ctx, cur); err != nil {
			s.log.WarnContext(ctx, "batch: catch up the read model", "batch", id, "error", err)
		}
	}
	return cur, nil
}

// ListBatches lists batches, newest first.
func (s *Service) ListBatches(ctx context.Context, a domain.Actor, limit int) ([]workflows.BatchView, error) {
	if !mayReadBatches(a) {
		return nil, refusal(domain.ErrForbidden, "your roles may not read batches")
	}
	rows, err := s.batches().ListBatches(ctx, limit)
	if err != nil {
		return nil, failure("list batches", err)
	}
	out := make([]workflows.BatchView, 0, len(rows))
	for _, r := range rows {
		var v workflows.BatchView
		if err := json.Unmarshal(r.View, &v); err != nil {
			return nil, failure("decode batch", err)
		}
		out = append(out, v)
	}
	return out, nil
}

// batchUpdate sends a batch's workflow an update and writes the outcome.
func (s *Service) batchUpdate(ctx context.Context, id, name string, arg any) (workflows.BatchView, error) {
	tctx, cancel := context.WithTimeout(ctx, 2*TemporalTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(tctx, client.UpdateWorkflowOptions{WorkflowID: workflows.BatchWorkflowID(id),
		UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	var v workflows.BatchView
	if err == nil {
		err = h.Get(tctx, &v)
	}
	if err != nil {
		if e, ok := workflows.AsRefusal(err); ok {
			return workflows.BatchView{}, fromDomain(e, "")
		}
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return workflows.BatchView{}, &Error{Kind: domain.ErrConflict, Detail: "the batch is signed already"}
		}
		return workflows.BatchView{}, failure(name+" batch", err)
	}
	if err := s.putBatch(context.WithoutCancel(ctx), v); err != nil {
		return workflows.BatchView{}, notYetVisible(name+" batch", err)
	}
	return v, nil
}

// EditBatch edits a draft (officer): If-Match is the version seen.
func (s *Service) EditBatch(ctx context.Context, a domain.Actor, id string, r BatchEditRequest) (workflows.BatchView, error) {
	cur, err := s.Batch(ctx, a, id)
	if err != nil {
		return workflows.BatchView{}, err
	}
	if !a.Has(domain.RoleOfficer) {
		return workflows.BatchView{}, refusal(domain.ErrForbidden, "only an officer edits a batch")
	}
	if r.Title != nil {
		if e := CheckText("title", *r.Title, MaxComment); e != nil {
			return workflows.BatchView{}, invalid(*e)
		}
	}
	if r.Dossiers != nil {
		if err := s.checkBatchDossiers(ctx, cur.Kind, r.Dossiers, id); err != nil {
			return workflows.BatchView{}, err
		}
	}
	e := workflows.BatchEdit{Actor: a, Title: r.Title, Dossiers: r.Dossiers, ExpectedVersion: r.IfMatch}
	if s.sealer != nil {
		e.Seal = s.sealer.Seal(workflows.BatchMessage(id, workflows.UpdateBatchEdit, e))
	}
	return s.batchUpdate(ctx, id, workflows.UpdateBatchEdit, e)
}

// SignBatch signs a batch: the chairman a decision or a proposal, the
// officer a central decision. It answers once every dossier has moved on
// or been dropped.
func (s *Service) SignBatch(ctx context.Context, a domain.Actor, id string, ifMatch int64) (workflows.BatchView, error) {
	if _, err := s.Batch(ctx, a, id); err != nil {
		return workflows.BatchView{}, err
	}
	sg := workflows.BatchSign{Actor: a, ExpectedVersion: ifMatch}
	if s.sealer != nil {
		sg.Seal = s.sealer.Seal(workflows.BatchMessage(id, workflows.UpdateBatchSign, sg))
	}
	return s.batchUpdate(ctx, id, workflows.UpdateBatchSign, sg)
}

// BatchDocument is a signed decision or proposal batch as the document the
// chairman signed (Decree 30/2020 format, PDF), with its awardees (the
// dossiers it moved) annexed. A draft has none yet (409); a central
// decision is the central authority's own document (404).
func (s *Service) BatchDocument(ctx context.Context, a domain.Actor, id string) (name string, pdf []byte, err error) {
	v, err := s.Batch(ctx, a, id)
	if err != nil {
		return "", nil, err
	}
	if v.Kind == workflows.BatchCentralDecision {
		return "", nil, refusal(domain.ErrNotFound, "a central decision is the central authority's document; it is not issued here")
	}
	if v.Status != "signed" {
		return "", nil, &Error{Kind: domain.ErrConflict, Detail: "the batch is not signed yet; its document exists once it is"}
	}
	date, err := time.ParseInLocation(time.DateOnly, v.Date, domain.Local)
	if err != nil {
		return "", nil, failure("batch date", err)
	}
	var list []pdfdoc.Awardee
	for _, did := range v.Moved {
		d, err := s.store.GetDossier(ctx, did)
		if err != nil {
			return "", nil, storeError("read dossier", err)
		}
		pos := strings.TrimSpace(strings.Trim(d.Nominee.Position+", "+d.Nominee.Organization, ", "))
		list = append(list, pdfdoc.Awardee{Name: d.Nominee.Name, Position: pos, Award: d.AwardName,
			Collective: d.Nominee.Type == domain.Collective})
	}
	signer := pdfdoc.Signer{Title: []string{"CHỦ TỊCH"}}
	if v.SignedBy != nil {
		signer.Name = v.SignedBy.Name
	}
	bases := []string{
		"Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
		"Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022",
		"Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
	}
	name = strings.ReplaceAll(v.Number, "/", "-") + ".pdf"
	if v.Kind == workflows.BatchProposal {
		pdf, err = pdfdoc.ProposalPDF(pdfdoc.Proposal{Number: v.Number, Date: date,
			Summary: "Về việc đề nghị khen thưởng: " + v.Title,
			To:      []string{"Thủ tướng Chính phủ", "Ban Thi đua - Khen thưởng Trung ương"},
			Body: []string{strings.Join(bases, "; ") + ".",
				"Ủy ban nhân dân tỉnh kính đề nghị xem xét khen thưởng cho " + pdfdoc.CountAwardees(list) + " (có danh sách kèm theo).",
				"Ủy ban nhân dân tỉnh kính trình xem xét, quyết định."},
			Recipients: []string{"Như trên", "Sở Nội vụ (Ban TĐKT)", "Lưu: VT, TĐKT"},
			Signer:     signer, Nominees: list})
	} else {
		pdf, err = pdfdoc.DecisionPDF(pdfdoc.Decision{Number: v.Number, Date: date,
			Summary:   "Về việc khen thưởng: " + v.Title,
			Authority: "Chủ tịch Ủy ban nhân dân tỉnh Lai Châu",
			Bases:     bases,
			Articles: []string{
				"Khen thưởng " + pdfdoc.CountAwardees(list) + " (có danh sách kèm theo) đã có thành tích xuất sắc.",
				"Quyết định này có hiệu lực kể từ ngày ký.",
				"Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các cơ quan, đơn vị có liên quan và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
			},
			Recipients: []string{"Như Điều 3", "Sở Nội vụ (Ban TĐKT)", "Lưu: VT, TĐKT"},
			Signer:     signer, Awardees: list})
	}
	if err != nil {
		return "", nil, failure("render the batch's document", err)
	}
	return name, pdf, nil
}

// dropFromDraft takes dossier id out of the draft batch holding it, after
// action took it out of the stage the batch expects (DOMAIN.md: acting on
// it alone drops it from the batch). Best effort: should it fail, signing
// drops the dossier anyway, for the same reason.
func (s *Service) dropFromDraft(ctx context.Context, id string, action domain.Action, by domain.Actor) {
	held, err := s.batches().DraftBatchesOf(ctx, []string{id}, "")
	if err != nil || held[id] == "" {
		return
	}
	batch := held[id]
	name := ActionNames[action]
	if name == "" {
		name = string(action)
	}
	d := workflows.BatchDrop{DossierID: id, Reason: fmt.Sprintf("Hồ sơ đã được xử lý riêng: «%s» (%s).", name, by.Name)}
	if s.sealer != nil {
		d.Seal = s.sealer.Seal(workflows.BatchMessage(batch, workflows.UpdateBatchDrop, d))
	}
	if _, err := s.batchUpdate(context.WithoutCancel(ctx), batch, workflows.UpdateBatchDrop, d); err != nil {
		s.log.WarnContext(ctx, "drop a dossier from its draft batch", "dossier", id, "batch", batch, "error", err)
	}
}
