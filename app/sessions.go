package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// SessionRequest opens a council session (secretary): what the API's POST
// takes.
type SessionRequest struct {
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Dossiers []string `json:"dossiers"`
}

// AgendaRequest changes an open session's agenda before any ballot.
type AgendaRequest struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}

// BallotRequest is a member's ballot, or an absent member's written
// opinion (Member set, recorded by the secretary).
type BallotRequest struct {
	Member string `json:"member"`
	// MemberName is the absent member's name, for the attendance (written
	// opinions only; a member's own ballot carries their name).
	MemberName string            `json:"member_name"`
	Choices    map[string]string `json:"choices"`
	Comment    string            `json:"comment"`
}

// Session is a council session as a caller sees it: MyBallotCast says,
// to a council member, whether they have cast their ballot; AbsentMembers
// are the members of the council's roster who have cast nothing (so far,
// while it is open), in the roster's order.
type Session struct {
	workflows.SessionView
	MyBallotCast  *bool                  `json:"my_ballot_cast,omitempty"`
	AbsentMembers []domain.CouncilMember `json:"absent_members"`
}

// mayReadSessions: the council, its secretary, officers, the chairman and
// administrators.
func mayReadSessions(a domain.Actor) bool {
	return a.Has(domain.RoleCouncil) || a.Has(domain.RoleSecretary) || a.Has(domain.RoleOfficer) ||
		a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin)
}

// sessionStore is what the session use cases need of the read model.
type sessionStore interface {
	NextSessionID(ctx context.Context, year int) (string, error)
	PutSession(ctx context.Context, r store.SessionRow, dossiers []string) error
	GetSession(ctx context.Context, id string) (store.SessionRow, error)
	ListSessions(ctx context.Context, status string, limit int) ([]store.SessionRow, error)
	OpenSessionsOf(ctx context.Context, dossiers []string, except string) (map[string]string, error)
}

var _ sessionStore = (*store.Store)(nil)

var errNoSessions = errors.New("this read model holds no council sessions")

func (s *Service) sessions() (sessionStore, error) {
	if st, ok := s.store.(sessionStore); ok {
		return st, nil
	}
	return nil, failure("council sessions", errNoSessions)
}

// sessionVI are the Vietnamese sentences of a session's refusals, by a
// phrase of the English one.
var sessionVI = []struct{ phrase, vi string }{
	{"already cast a ballot", "Thành viên này đã bỏ phiếu trong phiên họp; phiếu đã bỏ không thể thay đổi."},
	{"members have cast a ballot", "Tất cả thành viên Hội đồng đã bỏ phiếu."},
	{"quorum", "Chưa đủ túc số (hai phần ba tổng số thành viên Hội đồng đã bỏ phiếu): chưa thể kết thúc phiên họp; việc xét được hoãn chứ không bị bác."},
	{"can no longer change", "Đã có thành viên bỏ phiếu: không thể thay đổi chương trình phiên họp."},
	{"the session is closing", "Phiên họp đang được kết thúc."},
	{"the session is closed", "Phiên họp đã kết thúc."},
	{"only the council's secretary", "Chỉ Thư ký Hội đồng được thực hiện thao tác này."},
	{"only a council member", "Chỉ thành viên Hội đồng được bỏ phiếu."},
	{"on the agenda of open session", "Hồ sơ đang trong chương trình một phiên họp Hội đồng đang mở: chỉ biểu quyết qua phiên họp."},
	{"no such session", "Không tìm thấy phiên họp."},
	{"your roles may not", "Vai trò của bạn không được xem phiên họp Hội đồng."},
	{"minutes exist once", "Phiên họp chưa kết thúc; biên bản có sau khi kết thúc phiên họp."},
}

// sessionError gives a session's refusal its Vietnamese sentence.
func sessionError(err error) error {
	var e *Error
	if !errors.As(err, &e) || e.VI != "" {
		return err
	}
	for _, m := range sessionVI {
		if strings.Contains(e.Detail, m.phrase) {
			c := *e
			c.VI = m.vi
			return &c
		}
	}
	return err
}

func sessionRefusal(kind domain.ErrorKind, format string, args ...any) error {
	return sessionError(refusal(kind, format, args...))
}

// agendaItems checks dossiers for an agenda and describes them: each must
// exist, be in stage council with no member having voted on it alone, and
// be on no other open session.
func (s *Service) agendaItems(ctx context.Context, st sessionStore, ids []string, except string) ([]workflows.AgendaItem, error) {
	if err := workflows.CheckAgenda(ids); err != nil {
		e, _ := workflows.AsRefusal(err)
		return nil, fromDomain(e, "")
	}
	views, fe, err := s.listedDossiers(ctx, ids)
	if err != nil {
		return nil, err
	}
	var items []workflows.AgendaItem
	for _, v := range views {
		id := v.ID
		switch {
		case v.Stage != domain.Council:
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: id + " is not in stage council"})
		case v.Votes != nil && v.Votes.Cast > 0:
			fe = append(fe, domain.FieldError{Field: "dossiers", Message: id + " is being voted on alone already"})
		}
		items = append(items, workflows.AgendaItem{DossierID: v.ID, AwardCode: v.AwardCode, NomineeName: v.Nominee.Name})
	}
	if len(fe) == 0 {
		held, err := st.OpenSessionsOf(ctx, ids, except)
		if err != nil {
			return nil, failure("open sessions", err)
		}
		for _, id := range ids {
			if sid, ok := held[id]; ok {
				fe = append(fe, domain.FieldError{Field: "dossiers", Message: id + " is on the agenda of open session " + sid})
			}
		}
	}
	if len(fe) > 0 {
		return nil, invalid(fe...)
	}
	return items, nil
}

// putSession writes a session view into the read model.
func (s *Service) putSession(ctx context.Context, st sessionStore, v workflows.SessionView) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	date, err := time.Parse(time.DateOnly, v.Date)
	if err != nil {
		return err
	}
	return st.PutSession(ctx, store.SessionRow{ID: v.ID, Title: v.Title, Date: date, Status: v.Status,
		Version: v.Version, CreatedAt: v.CreatedAt, View: raw}, v.Dossiers())
}

// OpenSession opens a council session with an agenda (secretary).
func (s *Service) OpenSession(ctx context.Context, a domain.Actor, r SessionRequest) (Session, error) {
	v, _, err := s.OpenSessionKeyed(ctx, a, "", r)
	return v, err
}

// OpenSessionKeyed is OpenSession with an Idempotency-Key: a repeated
// request answers with the session the first created (existed true)
// instead of opening another.
func (s *Service) OpenSessionKeyed(ctx context.Context, a domain.Actor, key string, r SessionRequest) (_ Session, existed bool, _ error) {
	if !a.Has(domain.RoleSecretary) {
		return Session{}, false, sessionRefusal(domain.ErrForbidden, "only the council's secretary opens a session")
	}
	st, err := s.sessions()
	if err != nil {
		return Session{}, false, err
	}
	var fe []domain.FieldError
	if e := CheckText("title", r.Title, MaxComment); e != nil {
		fe = append(fe, *e)
	} else if strings.TrimSpace(r.Title) == "" {
		fe = append(fe, domain.FieldError{Field: "title", Message: "is required"})
	}
	if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
		fe = append(fe, domain.FieldError{Field: "date", Message: "must be a date YYYY-MM-DD"})
	}
	if len(fe) > 0 {
		return Session{}, false, invalid(fe...)
	}
	k, err := s.keyed(ctx, "session", a, key, r)
	if err != nil {
		return Session{}, false, err
	}
	if k.earlier != "" {
		v, err := s.repeatedSession(ctx, a, st, k.earlier, r)
		return v, true, err
	}
	items, err := s.agendaItems(ctx, st, r.Dossiers, "")
	if err != nil {
		return Session{}, false, err
	}
	id, err := st.NextSessionID(ctx, s.now().In(domain.Local).Year())
	if err != nil {
		return Session{}, false, failure("session id", err)
	}
	if winner, err := k.reserve(ctx, id); err != nil || winner != id {
		if err != nil {
			return Session{}, false, err
		}
		v, err := s.repeatedSession(ctx, a, st, winner, r)
		return v, true, err
	}
	v, err := s.startSession(ctx, a, st, id, items, r, enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
	return v, false, err
}

// startSession starts session id's workflow and writes it into the read
// model.
func (s *Service) startSession(ctx context.Context, a domain.Actor, st sessionStore, id string, items []workflows.AgendaItem,
	r SessionRequest, policy enums.WorkflowIdConflictPolicy) (Session, error) {
	in := workflows.SessionInput{ID: id, Title: strings.TrimSpace(r.Title), Date: r.Date, Agenda: items,
		Members: s.policy.CouncilMembers, Quorum: s.policy.Quorum(), By: a, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if s.sealer != nil {
		in.Seal = s.sealer.Seal(workflows.SessionMessage(id, "start", in))
	}
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	if _, err := s.temporal.ExecuteWorkflow(tctx, client.StartWorkflowOptions{ID: workflows.SessionWorkflowID(id), TaskQueue: s.taskQueue,
		WorkflowIDConflictPolicy: policy}, workflows.SessionWorkflowName, in); err != nil {
		return Session{}, failure("open the session", err)
	}
	v := workflows.OpenedSession(in)
	if policy != enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL {
		// The workflow may have been started before, with another input.
		q, err := s.temporal.QueryWorkflow(tctx, workflows.SessionWorkflowID(id), "", workflows.QueryState)
		if err == nil {
			err = q.Get(&v)
		}
		if err != nil {
			return Session{}, failure("read the session", err)
		}
	}
	if err := s.putSession(context.WithoutCancel(ctx), st, v); err != nil {
		if errors.Is(err, store.ErrOnOpenSession) {
			// Another secretary put one of these dossiers on a session in
			// the meantime: this one never existed for anyone.
			if terr := s.temporal.TerminateWorkflow(context.WithoutCancel(ctx), workflows.SessionWorkflowID(id), "",
				"a dossier of its agenda went onto another open session as it was opened"); terr != nil {
				s.log.WarnContext(ctx, "session: terminate after a lost race", "session", id, "error", terr)
			}
			return Session{}, sessionRefusal(domain.ErrConflict, "a dossier of the agenda was put on the agenda of open session meanwhile")
		}
		return Session{}, notYetVisible("write the session", err)
	}
	return s.presentSession(ctx, a, v), nil
}

// repeatedSession answers a repeated open with the session its key gave:
// from the read model or, if the first attempt did not get as far as
// writing it, by finishing what it began.
func (s *Service) repeatedSession(ctx context.Context, a domain.Actor, st sessionStore, id string, r SessionRequest) (Session, error) {
	v, err := s.Session(ctx, a, id)
	if err == nil || AsError(err).Kind != domain.ErrNotFound {
		return v, err
	}
	items, err := s.agendaItems(ctx, st, r.Dossiers, id)
	if err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, a, st, id, items, r, enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
}

// presentSession is v as a sees it, with the roster's members who have
// not cast (none when the roster cannot be read: the session stands
// without them).
func (s *Service) presentSession(ctx context.Context, a domain.Actor, v workflows.SessionView) Session {
	roster, err := s.roster(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "session: council roster", "session", v.ID, "error", err)
	}
	return presentWith(a, v, roster)
}

// presentWith is presentSession given the roster.
func presentWith(a domain.Actor, v workflows.SessionView, roster []domain.CouncilMember) Session {
	out := Session{SessionView: v, AbsentMembers: []domain.CouncilMember{}}
	if a.Has(domain.RoleCouncil) {
		cast := v.HasCast(a.ID)
		out.MyBallotCast = &cast
	}
	for _, m := range roster {
		if !v.HasCast(m.ID) {
			out.AbsentMembers = append(out.AbsentMembers, m)
		}
	}
	return out
}

// sessionView is one session as Temporal has it: an open one is read from
// its workflow (and the read model caught up), a closed one from the read
// model.
func (s *Service) sessionView(ctx context.Context, a domain.Actor, id string) (workflows.SessionView, sessionStore, error) {
	if !mayReadSessions(a) {
		return workflows.SessionView{}, nil, sessionRefusal(domain.ErrForbidden, "your roles may not read council sessions")
	}
	st, err := s.sessions()
	if err != nil {
		return workflows.SessionView{}, nil, err
	}
	row, err := st.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.SessionView{}, nil, sessionRefusal(domain.ErrNotFound, "no such session")
	}
	if err != nil {
		return workflows.SessionView{}, nil, failure("read session", err)
	}
	var v workflows.SessionView
	if err := json.Unmarshal(row.View, &v); err != nil {
		return workflows.SessionView{}, nil, failure("decode session", err)
	}
	if v.Status == workflows.SessionClosed {
		return v, st, nil
	}
	tctx, cancel := temporalCtx(ctx)
	defer cancel()
	q, err := s.temporal.QueryWorkflow(tctx, workflows.SessionWorkflowID(id), "", workflows.QueryState)
	var cur workflows.SessionView
	if err == nil {
		err = q.Get(&cur)
	}
	if err != nil {
		s.log.WarnContext(ctx, "session: read from Temporal", "session", id, "error", err)
		return v, st, nil
	}
	if cur.Version > v.Version {
		if err := s.putSession(ctx, st, cur); err != nil {
			s.log.WarnContext(ctx, "session: catch up the read model", "session", id, "error", err)
		}
	}
	return cur, st, nil
}

// Session is one council session.
func (s *Service) Session(ctx context.Context, a domain.Actor, id string) (Session, error) {
	v, _, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Session{}, err
	}
	return s.presentSession(ctx, a, v), nil
}

// ListSessions lists council sessions, newest first (status: open, closed
// or all).
func (s *Service) ListSessions(ctx context.Context, a domain.Actor, status string, limit int) ([]Session, error) {
	if !mayReadSessions(a) {
		return nil, sessionRefusal(domain.ErrForbidden, "your roles may not read council sessions")
	}
	if status != "" && status != workflows.SessionOpen && status != workflows.SessionClosed && status != workflows.SessionClosing {
		return nil, invalid(domain.FieldError{Field: "status", Message: "must be one of open, closing, closed"})
	}
	st, err := s.sessions()
	if err != nil {
		return nil, err
	}
	rows, err := st.ListSessions(ctx, status, limit)
	if err != nil {
		return nil, failure("list sessions", err)
	}
	roster, err := s.roster(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "sessions: council roster", "error", err)
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		var v workflows.SessionView
		if err := json.Unmarshal(r.View, &v); err != nil {
			return nil, failure("decode session", err)
		}
		out = append(out, presentWith(a, v, roster))
	}
	return out, nil
}

// sessionUpdate sends a session's workflow an update and writes the
// outcome.
func (s *Service) sessionUpdate(ctx context.Context, a domain.Actor, st sessionStore, id, name string, arg any) (Session, error) {
	tctx, cancel := context.WithTimeout(ctx, 4*TemporalTimeout)
	defer cancel()
	h, err := s.temporal.UpdateWorkflow(tctx, client.UpdateWorkflowOptions{WorkflowID: workflows.SessionWorkflowID(id),
		UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
	var v workflows.SessionView
	if err == nil {
		err = h.Get(tctx, &v)
	}
	if err != nil {
		if e, ok := workflows.AsRefusal(err); ok {
			return Session{}, sessionError(fromDomain(e, ""))
		}
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return Session{}, sessionRefusal(domain.ErrConflict, "the session is closed")
		}
		return Session{}, failure(name+" session", err)
	}
	if err := s.putSession(context.WithoutCancel(ctx), st, v); err != nil {
		if errors.Is(err, store.ErrOnOpenSession) {
			return Session{}, sessionRefusal(domain.ErrConflict, "a dossier added is on the agenda of open session already")
		}
		return Session{}, notYetVisible(name+" session", err)
	}
	return s.presentSession(ctx, a, v), nil
}

// ChangeAgenda adds dossiers to an open session's agenda, or removes them,
// before any ballot (secretary).
func (s *Service) ChangeAgenda(ctx context.Context, a domain.Actor, id string, r AgendaRequest) (Session, error) {
	cur, st, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Session{}, err
	}
	if !a.Has(domain.RoleSecretary) {
		return Session{}, sessionRefusal(domain.ErrForbidden, "only the council's secretary changes a session's agenda")
	}
	if len(r.Add) == 0 && len(r.Remove) == 0 {
		return Session{}, invalid(domain.FieldError{Field: "add", Message: "is required"})
	}
	var add []workflows.AgendaItem
	if len(r.Add) > 0 {
		var newOnes []string
		for _, d := range r.Add {
			if slices.Contains(cur.Dossiers(), d) && !slices.Contains(r.Remove, d) {
				return Session{}, invalid(domain.FieldError{Field: "add", Message: "lists " + d + ", which is on the agenda already"})
			}
			newOnes = append(newOnes, d)
		}
		if add, err = s.agendaItems(ctx, st, newOnes, id); err != nil {
			return Session{}, err
		}
	}
	arg := workflows.SessionAgenda{Actor: a, Add: add, Remove: r.Remove}
	if s.sealer != nil {
		arg.Seal = s.sealer.Seal(workflows.SessionMessage(id, workflows.UpdateSessionAgenda, arg))
	}
	return s.sessionUpdate(ctx, a, st, id, workflows.UpdateSessionAgenda, arg)
}

// choices turns a ballot's map into the list the workflow takes, in the
// agenda's order, with any id not on it after them (sorted), for the
// workflow to refuse.
func choices(agenda []string, m map[string]string) []workflows.Choice {
	out := make([]workflows.Choice, 0, len(m))
	for _, id := range agenda {
		if c, ok := m[id]; ok {
			out = append(out, workflows.Choice{DossierID: id, Choice: c})
		}
	}
	var extra []string
	for id := range m {
		if !slices.Contains(agenda, id) {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		out = append(out, workflows.Choice{DossierID: id, Choice: m[id]})
	}
	return out
}

// CastBallot casts a council member's ballot on the whole agenda; final
// once cast.
func (s *Service) CastBallot(ctx context.Context, a domain.Actor, id string, r BallotRequest) (Session, error) {
	cur, st, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Session{}, err
	}
	if !a.Has(domain.RoleCouncil) {
		return Session{}, sessionRefusal(domain.ErrForbidden, "only a council member casts a ballot")
	}
	if r.Member != "" && r.Member != a.ID {
		return Session{}, invalid(domain.FieldError{Field: "member", Message: "is not taken by a ballot: a member casts only their own"})
	}
	if e := CheckText("comment", r.Comment, MaxComment); e != nil {
		return Session{}, invalid(*e)
	}
	arg := workflows.SessionBallot{Actor: a, Member: a.ID, Choices: choices(cur.Dossiers(), r.Choices), Comment: r.Comment}
	if s.sealer != nil {
		arg.Seal = s.sealer.Seal(workflows.SessionMessage(id, workflows.UpdateSessionBallot, arg))
	}
	return s.sessionUpdate(ctx, a, st, id, workflows.UpdateSessionBallot, arg)
}

// RecordOpinion records the written opinion of an absent member
// (secretary); it counts as that member's ballot.
func (s *Service) RecordOpinion(ctx context.Context, a domain.Actor, id string, r BallotRequest) (Session, error) {
	cur, st, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Session{}, err
	}
	if !a.Has(domain.RoleSecretary) {
		return Session{}, sessionRefusal(domain.ErrForbidden, "only the council's secretary records a written opinion")
	}
	var fe []domain.FieldError
	member := strings.TrimSpace(r.Member)
	if e := CheckText("member", r.Member, MaxCode); e != nil {
		fe = append(fe, *e)
	} else if member == "" {
		fe = append(fe, domain.FieldError{Field: "member", Message: "the absent member's id is required"})
	}
	// With a roster, the member is one of it, and named as it names them.
	roster, err := s.roster(ctx)
	if err != nil {
		return Session{}, err
	}
	if m, ok := onRoster(roster, member); ok {
		if strings.TrimSpace(r.MemberName) == "" {
			r.MemberName = m.Name
		}
	} else if len(roster) > 0 && member != "" {
		fe = append(fe, domain.FieldError{Field: "member", Message: "is not on the council's roster"})
	}
	if e := CheckText("member_name", r.MemberName, MaxName); e != nil {
		fe = append(fe, *e)
	}
	if e := CheckText("comment", r.Comment, MaxComment); e != nil {
		fe = append(fe, *e)
	}
	if len(fe) > 0 {
		return Session{}, invalid(fe...)
	}
	arg := workflows.SessionBallot{Actor: a, Member: member, MemberName: strings.TrimSpace(r.MemberName), Choices: choices(cur.Dossiers(), r.Choices), Comment: r.Comment}
	if s.sealer != nil {
		arg.Seal = s.sealer.Seal(workflows.SessionMessage(id, workflows.UpdateSessionOpinion, arg))
	}
	return s.sessionUpdate(ctx, a, st, id, workflows.UpdateSessionOpinion, arg)
}

// CloseSession closes a session with a quorum (secretary): every dossier's
// tally is applied to it. It answers once every dossier has moved on or
// been dropped.
func (s *Service) CloseSession(ctx context.Context, a domain.Actor, id string) (Session, error) {
	_, st, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Session{}, err
	}
	arg := workflows.SessionClose{Actor: a}
	if s.sealer != nil {
		arg.Seal = s.sealer.Seal(workflows.SessionMessage(id, workflows.UpdateSessionClose, arg))
	}
	return s.sessionUpdate(ctx, a, st, id, workflows.UpdateSessionClose, arg)
}

// ApplySessionResult applies a closed session's counts to dossier id, as
// the secretary who closed it, the way the API sends an action: marked,
// sealed, sent as the update "session-<session>-<id>" (so an activity
// retried after a worker died applies it once), and written into the read
// model. It gives the tally the dossier recorded, or nil and the reason in
// Vietnamese when the dossier refused it; err is for what may work if
// retried.
func (s *Service) ApplySessionResult(ctx context.Context, secretary domain.Actor, id, session string, t domain.Tally) (*domain.Tally, string, error) {
	tally := t
	cmd := domain.Command{Action: domain.ActSessionResult, Actor: secretary, Session: session, Tally: &tally}
	out, err := s.sendAs(ctx, id, "session-"+session+"-"+id, cmd)
	if err != nil {
		if e, ok := workflows.AsRefusal(err); ok {
			if strings.Contains(e.Detail, "voted on this dossier alone") {
				return nil, "Hồ sơ đã được thành viên bỏ phiếu riêng trong khi nằm trong chương trình phiên họp; kết quả phiên họp không được áp dụng.", nil
			}
			vi, _ := Vietnamese(fromDomain(e, cmd.Action))
			return nil, vi, nil
		}
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil, "Hồ sơ không còn được xử lý (đã kết thúc hoặc không tồn tại).", nil
		}
		return nil, "", err
	}
	for i := len(out.Entries) - 1; i >= 0; i-- {
		if d := out.Entries[i].Details; d != nil && d.Tally != nil {
			return d.Tally, "", nil
		}
	}
	// The workflow projected it itself (no entries in the outcome): the
	// view's published counts say the same.
	if vv := out.View.Votes; vv != nil && vv.Yes != nil {
		r := domain.Tally{Members: vv.Members, Cast: vv.Cast, Yes: *vv.Yes, No: *vv.No, Needed: vv.Needed, Quorum: vv.Quorum,
			Passed: out.View.Stage == domain.Decision}
		if vv.Abstain != nil {
			r.Abstain = *vv.Abstain
		}
		return &r, "", nil
	}
	return nil, "", fmt.Errorf("session %s: dossier %s answered without a tally", session, id)
}

// onOpenSession refuses a single vote, written opinion or close of the
// vote on a dossier that is on an open session's agenda: it is voted only
// through the session.
func (s *Service) onOpenSession(ctx context.Context, id string, action domain.Action) error {
	if action != domain.ActVote && action != domain.ActWrittenOpinion && action != domain.ActCloseVote {
		return nil
	}
	st, ok := s.store.(sessionStore)
	if !ok {
		return nil
	}
	held, err := st.OpenSessionsOf(ctx, []string{id}, "")
	if err != nil {
		return failure("open sessions", err)
	}
	if sid := held[id]; sid != "" {
		e := &Error{Kind: domain.ErrConflict, Action: action, Stage: domain.Council,
			Detail: "the dossier is on the agenda of open session " + sid + "; it is voted only through the session"}
		return sessionError(e)
	}
	return nil
}

// Minutes is a closed session's biên bản as data: its number, and the
// session with every tally (who cast a ballot, never how).
type Minutes struct {
	Number string `json:"number"`
	Session
}

// SessionMinutes is a closed session's minutes: the number, and the PDF in
// the format of Decree 30/2020 with the tallies (409 while the session is
// open: it has none yet).
func (s *Service) SessionMinutes(ctx context.Context, a domain.Actor, id string) (Minutes, []byte, error) {
	v, _, err := s.sessionView(ctx, a, id)
	if err != nil {
		return Minutes{}, nil, err
	}
	if v.Status != workflows.SessionClosed {
		return Minutes{}, nil, sessionRefusal(domain.ErrConflict, "the session is %s; its minutes exist once it is closed", v.Status)
	}
	m := Minutes{Number: minutesNumber(v.ID), Session: s.presentSession(ctx, a, v)}
	start, err := time.ParseInLocation(time.DateOnly, v.Date, domain.Local)
	if err != nil {
		return Minutes{}, nil, failure("session date", err)
	}
	start = start.Add(8 * time.Hour) // a session day starts at 8 o'clock
	doc := pdfdoc.Minutes{Number: m.Number, Title: v.Title,
		Start: start, Venue: "Trụ sở Ủy ban nhân dân tỉnh Lai Châu",
		Chair:     pdfdoc.Member{Name: "Chủ tịch Ủy ban nhân dân tỉnh", Role: "Chủ tịch Hội đồng"},
		Secretary: pdfdoc.Member{Name: v.CreatedBy.Name, Role: "Thư ký Hội đồng"}}
	if v.ClosedBy != nil {
		doc.Secretary.Name = v.ClosedBy.Name
	}
	roster, err := s.roster(ctx)
	if err != nil {
		return Minutes{}, nil, err
	}
	for _, at := range v.Attendance {
		who := pdfdoc.Member{Name: at.Name}
		if r, ok := onRoster(roster, at.ID); ok {
			who = pdfdoc.Member{Name: r.Name, Role: r.Position}
		}
		if who.Name == "" {
			who.Name = at.ID
		}
		if at.Written {
			doc.WrittenOpinions = append(doc.WrittenOpinions, who)
		} else {
			doc.Present = append(doc.Present, who)
		}
	}
	// The absent are named from the roster; members the roster does not
	// name (a roster shorter than the council) are counted, unnamed.
	for _, r := range m.AbsentMembers {
		doc.Absent = append(doc.Absent, pdfdoc.Member{Name: r.Name, Role: r.Position})
	}
	for i := len(v.Attendance) + len(m.AbsentMembers); i < v.Members; i++ {
		doc.Absent = append(doc.Absent, pdfdoc.Member{Name: "Thành viên không tham gia bỏ phiếu"})
	}
	for _, it := range v.Agenda {
		if it.Tally == nil {
			continue
		}
		t := pdfdoc.Tally{Nominee: it.NomineeName, Award: it.AwardCode, Yes: it.Tally.Yes, No: it.Tally.No,
			Abstain: it.Tally.Abstain, Required: it.Tally.Needed, Passed: it.Tally.Passed}
		if aw, ok := domain.AwardByCode(it.AwardCode); ok {
			t.Award = aw.Name
		}
		if d, err := s.store.GetDossier(ctx, it.DossierID); err == nil {
			t.Unit = strings.Trim(strings.TrimSpace(d.Nominee.Position+", "+d.Nominee.Organization), ", ")
		}
		doc.Dossiers = append(doc.Dossiers, t)
	}
	for _, it := range v.Agenda {
		if it.Dropped != "" {
			doc.Content = append(doc.Content, fmt.Sprintf("Hồ sơ %s (%s) không áp dụng kết quả: %s", it.DossierID, it.NomineeName, it.Dropped))
		}
	}
	pdf, err := pdfdoc.MinutesPDF(doc)
	if err != nil {
		return Minutes{}, nil, failure("render the minutes", err)
	}
	return m, pdf, nil
}

// minutesNumber is the minutes' number: the session's number in its year,
// N/BB-HĐTĐKT.
func minutesNumber(id string) string {
	n := 0
	if i := strings.LastIndexByte(id, '-'); i >= 0 {
		fmt.Sscanf(id[i+1:], "%d", &n)
	}
	if n < 1 {
		n = 1
	}
	return fmt.Sprintf("%d/BB-HĐTĐKT", n)
}
