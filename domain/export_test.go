package domain

// Test hooks: the lunar conversions at another time zone, to show why the
// Vietnamese calendar must be reckoned at UTC+7.
var (
	SolarToLunarAt = solarToLunar
	LunarToSolarAt = lunarToSolar
)
