package app

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"tdkt/domain"
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
