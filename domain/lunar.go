package domain

// The Vietnamese lunar calendar (âm lịch), by Hồ Ngọc Đức's algorithm
// ("Âm lịch Việt Nam", https://www.informatik.uni-leipzig.de/~duc/amlich/,
// with its calendar rules in calrules_v02.html), which takes the new moons
// and the sun's longitude from Jean Meeus, "Astronomical Algorithms" (1998).
// The rules: a month starts on the day (in the calendar's time zone) of a new
// moon; month 11 is the one holding the winter solstice; a year with 13
// months between two months 11 repeats the first month that holds no major
// solar term (trung khí) as a leap month.
//
// Vietnam's calendar is reckoned at UTC+7, China's at UTC+8; the two differ
// when a new moon or a solar term falls between 23:00 and 24:00 Vietnam time,
// so that, for example, Tết 1985 was 21/1 in Vietnam and 20/2 in China, and
// Tết 2007 17/2 in Vietnam and 18/2 in China. The algorithm is meant for the
// years 1800–2199, which is all this engine needs.

import (
	"math"
	"time"
)

// vietnamTZ is the lunar calendar's time zone, in hours east of UTC.
const vietnamTZ = 7.0

// LunarDate is a day of the Vietnamese lunar calendar. Year is the year in
// which the lunar year begins (Tết of lunar year 2027 is in February 2027);
// Leap marks the repeated month of a leap year (tháng nhuận).
type LunarDate struct {
	Year, Month, Day int
	Leap             bool
}

// jdUnixEpoch is the Julian day number of 1 January 1970.
const jdUnixEpoch = 2440588

// julianDay is the Julian day number of the civil date y-m-d (proleptic
// Gregorian).
func julianDay(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400) + jdUnixEpoch
}

// civilDate is the civil date of Julian day number jd, at midnight UTC.
func civilDate(jd int) time.Time {
	return time.Unix(int64(jd-jdUnixEpoch)*86400, 0).UTC()
}

// newMoon is the time of the k-th new moon after the one of 1 January 1900
// 13:52 UTC, as a Julian date (Meeus, chapter 49, abridged).
func newMoon(k int) float64 {
	const dr = math.Pi / 180
	kf := float64(k)
	T := kf / 1236.85 // Julian centuries from 1900-01-00
	T2 := T * T
	T3 := T2 * T
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*T2 - 0.000000155*T3
	jd1 += 0.00033 * math.Sin((166.56+132.87*T-0.009173*T2)*dr)
	M := 359.2242 + 29.10535608*kf - 0.0000333*T2 - 0.00000347*T3    // sun's mean anomaly
	Mpr := 306.0253 + 385.81691806*kf + 0.0107306*T2 + 0.00001236*T3 // moon's mean anomaly
	F := 21.2964 + 390.67050646*kf - 0.0016528*T2 - 0.00000239*T3    // moon's argument of latitude
	C1 := (0.1734-0.000393*T)*math.Sin(M*dr) + 0.0021*math.Sin(2*dr*M)
	C1 = C1 - 0.4068*math.Sin(Mpr*dr) + 0.0161*math.Sin(dr*2*Mpr)
	C1 = C1 - 0.0004*math.Sin(dr*3*Mpr)
	C1 = C1 + 0.0104*math.Sin(dr*2*F) - 0.0051*math.Sin(dr*(M+Mpr))
	C1 = C1 - 0.0074*math.Sin(dr*(M-Mpr)) + 0.0004*math.Sin(dr*(2*F+M))
	C1 = C1 - 0.0004*math.Sin(dr*(2*F-M)) - 0.0006*math.Sin(dr*(2*F+Mpr))
	C1 = C1 + 0.0010*math.Sin(dr*(2*F-Mpr)) + 0.0005*math.Sin(dr*(2*Mpr+M))
	var deltaT float64 // ΔT, in days
	if T < -11 {
		deltaT = 0.001 + 0.000839*T + 0.0002261*T2 - 0.00000845*T3 - 0.000000081*T*T3
	} else {
		deltaT = -0.000278 + 0.000265*T + 0.000262*T2
	}
	return jd1 + C1 - deltaT
}

// newMoonDay is the Julian day number of the local day of the k-th new moon.
func newMoonDay(k int, tz float64) int {
	return int(math.Floor(newMoon(k) + 0.5 + tz/24))
}

// sunSector is the sun's apparent longitude at the local midnight that
// starts day jdn, as its 30° sector (0: 0°–30°, from the spring equinox; 9:
// 270°–300°, from the winter solstice) (Meeus, chapter 25, low accuracy).
func sunSector(jdn int, tz float64) int {
	const dr = math.Pi / 180
	T := (float64(jdn) - 2451545.5 - tz/24) / 36525 // Julian centuries from J2000.0
	T2 := T * T
	M := 357.52910 + 35999.05030*T - 0.0001559*T2 - 0.00000048*T*T2 // mean anomaly
	L0 := 280.46645 + 36000.76983*T + 0.0003032*T2                  // mean longitude
	DL := (1.914600-0.004817*T-0.000014*T2)*math.Sin(dr*M) +
		(0.019993-0.000101*T)*math.Sin(dr*2*M) + 0.000290*math.Sin(dr*3*M)
	L := (L0 + DL) * dr // true longitude
	L -= 2 * math.Pi * math.Floor(L/(2*math.Pi))
	return int(math.Floor(L / math.Pi * 6))
}

// lunarMonth11 is the Julian day number of the first day of the lunar month
// 11 (the month of the winter solstice) that begins in civil year y.
func lunarMonth11(y int, tz float64) int {
	off := float64(julianDay(y, time.December, 31) - 2415021)
	k := int(math.Floor(off / 29.530588853))
	nm := newMoonDay(k, tz)
	if sunSector(nm, tz) >= 9 { // the month starts after the solstice
		nm = newMoonDay(k-1, tz)
	}
	return nm
}

// leapMonthOffset is, in a 13-month year that starts with month 11 on day
// a11, the index (counted from that month 11) of the leap month: the first
// month in which the sun enters no new sector.
func leapMonthOffset(a11 int, tz float64) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k+i, tz), tz)
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k+i, tz), tz)
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// SolarToLunar is the Vietnamese lunar date of civil date y-m-d.
func SolarToLunar(y int, m time.Month, d int) LunarDate { return solarToLunar(y, m, d, vietnamTZ) }

func solarToLunar(y int, m time.Month, d int, tz float64) LunarDate {
	day := julianDay(y, m, d)
	k := int(math.Floor((float64(day) - 2415021.076998695) / 29.530588853))
	monthStart := newMoonDay(k+1, tz)
	if monthStart > day {
		monthStart = newMoonDay(k, tz)
	}
	a11 := lunarMonth11(y, tz)
	b11 := a11
	ly := y + 1
	if a11 >= monthStart {
		ly = y
		a11 = lunarMonth11(y-1, tz)
	} else {
		b11 = lunarMonth11(y+1, tz)
	}
	out := LunarDate{Day: day - monthStart + 1}
	diff := (monthStart - a11) / 29
	out.Month = diff + 11
	if b11-a11 > 365 {
		leap := leapMonthOffset(a11, tz)
		if diff >= leap {
			out.Month = diff + 10
			out.Leap = diff == leap
		}
	}
	if out.Month > 12 {
		out.Month -= 12
	}
	if out.Month >= 11 && diff < 4 {
		ly--
	}
	out.Year = ly
	return out
}

// LunarToSolar is the civil date (at midnight UTC) of lunar date l; false
// when l names a leap month that year does not have. A day 30 of a 29-day
// month is the first of the next.
func LunarToSolar(l LunarDate) (time.Time, bool) { return lunarToSolar(l, vietnamTZ) }

func lunarToSolar(l LunarDate, tz float64) (time.Time, bool) {
	var a11, b11 int
	if l.Month < 11 {
		a11, b11 = lunarMonth11(l.Year-1, tz), lunarMonth11(l.Year, tz)
	} else {
		a11, b11 = lunarMonth11(l.Year, tz), lunarMonth11(l.Year+1, tz)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853))
	off := l.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11, tz)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if l.Leap && l.Month != leapMonth {
			return time.Time{}, false
		}
		if l.Leap || off >= leapOff {
			off++
		}
	} else if l.Leap {
		return time.Time{}, false
	}
	return civilDate(newMoonDay(k+off, tz) + l.Day - 1), true
}
