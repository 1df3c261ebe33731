package domain

import (
	"time"
)

// ReminderKind is what a reminder is about.
type ReminderKind string

const (
	// ReminderCampaignClosing tells a unit that a campaign's submission
	// window closes soon.
	ReminderCampaignClosing ReminderKind = "campaign_closing"
	// ReminderStageOverdue tells the emulation office that a dossier's
	// stage is past its due date.
	ReminderStageOverdue ReminderKind = "stage_overdue"
)

// ReminderEvent is one thing the reminders tell people: by e-mail to To,
// and to every configured webhook. Key names the event (what, about which
// campaign or dossier, for whom); an event of one key is sent once.
type ReminderEvent struct {
	Key      string       `json:"key"`
	Kind     ReminderKind `json:"kind"`
	Campaign string       `json:"campaign,omitempty"`
	Unit     string       `json:"unit,omitempty"`
	Dossier  string       `json:"dossier_id,omitempty"`
	Stage    Stage        `json:"stage,omitempty"`
	// Closes is the campaign's last day, Due the stage's due time.
	Closes string     `json:"closes,omitempty"`
	Due    *time.Time `json:"due_at,omitempty"`
	// To are the e-mail recipients; none: only the webhooks hear of it.
	To      []string `json:"to,omitempty"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

// ClosingSoon reports whether a unit should be reminded on the day of now
// (Vietnam) that campaign c's window closes: the window is open that day
// and at most lead working days of cal remain after it up to the closing
// day (3 on the Wednesday before a Friday's close counts Thursday and
// Friday: 2).
func ClosingSoon(c Campaign, now time.Time, cal Calendar, lead int) bool {
	if !c.OpenOn(now) {
		return false
	}
	closes, err := time.ParseInLocation(time.DateOnly, c.Closes, Local)
	if err != nil {
		return false
	}
	return cal.WorkingDaysBetween(now, closes) <= lead
}

// CampaignClosingKey is the key of the reminder to unit that campaign
// closes: once per campaign, unit and closing day (a window moved later
// reminds again).
func CampaignClosingKey(campaign, unit, closes string) string {
	return string(ReminderCampaignClosing) + "|" + campaign + "|" + unit + "|" + closes
}

// StageOverdueKey is the key of the reminder that a dossier's stage is
// overdue: once per dossier, stage and due time (a stage entered again
// after a return has a new due time and reminds again).
func StageOverdueKey(dossier string, stage Stage, due time.Time) string {
	return string(ReminderStageOverdue) + "|" + dossier + "|" + string(stage) + "|" + due.UTC().Format(time.RFC3339)
}
