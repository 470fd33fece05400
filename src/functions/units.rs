//! Unit conversions: `convert_angle`, `convert_energy`, `convert_force`,
//! `convert_length`, `convert_mass`, `convert_speed`,
//! `convert_temperature` and `convert_volume`
//! (`https://learn.microsoft.com/kusto/query/convert-<family>-function`).
//!
//! Each family lists the unit names its page documents with the size of
//! the unit in the family's base unit (radian, joule, newton, meter,
//! kilogram, meter per second, cubic meter); temperatures are affine
//! (kelvin = value × scale + offset) and the angle `Tilt` is the sine of
//! the angle. The sizes are the units' standard definitions (international
//! foot and pound, thermochemical calorie, …), except the acre-foot, whose
//! size is the one the page's example shows (1 m³ = 0.000810714 acre-feet).
//! Unit names match without regard to case; an unknown unit gives null, as
//! the pages say.

use super::{EvalContext, ScalarFunction, arg, function, real_of, signature};
use crate::types::DataType;
use crate::value::Value;
use std::f64::consts::PI;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("convert_angle", 3, 3, sig_convert, convert_angle),
    function("convert_energy", 3, 3, sig_convert, convert_energy),
    function("convert_force", 3, 3, sig_convert, convert_force),
    function("convert_length", 3, 3, sig_convert, convert_length),
    function("convert_mass", 3, 3, sig_convert, convert_mass),
    function("convert_speed", 3, 3, sig_convert, convert_speed),
    function(
        "convert_temperature",
        3,
        3,
        sig_convert,
        convert_temperature,
    ),
    function("convert_volume", 3, 3, sig_convert, convert_volume),
];

signature!(sig_convert, "convert_length", [Num, Str, Str] => Real);

/// A unit: `base = value * scale + offset`, or the sine of an angle.
#[derive(Clone, Copy)]
enum Unit {
    Affine(f64, f64),
    Tilt,
}

impl Unit {
    fn to_base(self, v: f64) -> f64 {
        match self {
            Unit::Affine(scale, offset) => v * scale + offset,
            Unit::Tilt => v.asin(),
        }
    }

    fn of_base(self, v: f64) -> f64 {
        match self {
            Unit::Affine(scale, offset) => (v - offset) / scale,
            Unit::Tilt => v.sin(),
        }
    }
}

/// A unit that is a multiple of the base unit.
const fn x(scale: f64) -> Unit {
    Unit::Affine(scale, 0.0)
}

const DEGREE: f64 = PI / 180.0;
const ANGLE: &[(&str, Unit)] = &[
    ("Arcminute", x(DEGREE / 60.0)),
    ("Arcsecond", x(DEGREE / 3600.0)),
    ("Centiradian", x(1e-2)),
    ("Deciradian", x(1e-1)),
    ("Degree", x(DEGREE)),
    ("Gradian", x(PI / 200.0)),
    ("Microdegree", x(DEGREE * 1e-6)),
    ("Microradian", x(1e-6)),
    ("Millidegree", x(DEGREE * 1e-3)),
    ("Milliradian", x(1e-3)),
    ("Nanodegree", x(DEGREE * 1e-9)),
    ("Nanoradian", x(1e-9)),
    ("NatoMil", x(PI / 3200.0)),
    ("Radian", x(1.0)),
    ("Revolution", x(2.0 * PI)),
    ("Tilt", Unit::Tilt),
];

const BTU: f64 = 1055.05585262;
const EV: f64 = 1.602176565e-19;
const ENERGY: &[(&str, Unit)] = &[
    ("BritishThermalUnit", x(BTU)),
    ("Calorie", x(4.184)),
    ("DecathermEc", x(1.05505585262e9)),
    ("DecathermImperial", x(1.05505585257348e9)),
    ("DecathermUs", x(1.054804e9)),
    ("ElectronVolt", x(EV)),
    ("Erg", x(1e-7)),
    ("FootPound", x(1.3558179483314)),
    ("GigabritishThermalUnit", x(BTU * 1e9)),
    ("GigaelectronVolt", x(EV * 1e9)),
    ("Gigajoule", x(1e9)),
    ("GigawattDay", x(86400.0 * 1e9)),
    ("GigawattHour", x(3600.0 * 1e9)),
    ("HorsepowerHour", x(2.6845195377e6)),
    ("Joule", x(1.0)),
    ("KilobritishThermalUnit", x(BTU * 1e3)),
    ("Kilocalorie", x(4184.0)),
    ("KiloelectronVolt", x(EV * 1e3)),
    ("Kilojoule", x(1e3)),
    ("KilowattDay", x(86400.0 * 1e3)),
    ("KilowattHour", x(3600.0 * 1e3)),
    ("MegabritishThermalUnit", x(BTU * 1e6)),
    ("Megacalorie", x(4.184e6)),
    ("MegaelectronVolt", x(EV * 1e6)),
    ("Megajoule", x(1e6)),
    ("MegawattDay", x(86400.0 * 1e6)),
    ("MegawattHour", x(3600.0 * 1e6)),
    ("Millijoule", x(1e-3)),
    ("TeraelectronVolt", x(EV * 1e12)),
    ("TerawattDay", x(86400.0 * 1e12)),
    ("TerawattHour", x(3600.0 * 1e12)),
    ("ThermEc", x(1.05505585262e8)),
    ("ThermImperial", x(1.05505585257348e8)),
    ("ThermUs", x(1.054804e8)),
    ("WattDay", x(86400.0)),
    ("WattHour", x(3600.0)),
];

const G: f64 = 9.80665;
const POUND_FORCE: f64 = 4.4482216152605;
const FORCE: &[(&str, Unit)] = &[
    ("Decanewton", x(10.0)),
    ("Dyn", x(1e-5)),
    ("KilogramForce", x(G)),
    ("Kilonewton", x(1e3)),
    ("KiloPond", x(G)),
    ("KilopoundForce", x(POUND_FORCE * 1e3)),
    ("Meganewton", x(1e6)),
    ("Micronewton", x(1e-6)),
    ("Millinewton", x(1e-3)),
    ("Newton", x(1.0)),
    ("OunceForce", x(POUND_FORCE / 16.0)),
    ("Poundal", x(0.138254954376)),
    ("PoundForce", x(POUND_FORCE)),
    ("ShortTonForce", x(POUND_FORCE * 2000.0)),
    ("TonneForce", x(G * 1e3)),
];

const INCH: f64 = 0.0254;
const FOOT: f64 = 0.3048;
const US_SURVEY_FOOT: f64 = 1200.0 / 3937.0;
const LIGHT_YEAR: f64 = 9.46073047258e15;
const PARSEC: f64 = 3.08567758128e16;
const LENGTH: &[(&str, Unit)] = &[
    ("Angstrom", x(1e-10)),
    ("AstronomicalUnit", x(1.4959787070e11)),
    ("Centimeter", x(1e-2)),
    ("Chain", x(20.1168)),
    ("DataMile", x(1828.8)),
    ("Decameter", x(10.0)),
    ("Decimeter", x(1e-1)),
    ("DtpPica", x(INCH / 6.0)),
    ("DtpPoint", x(INCH / 72.0)),
    ("Fathom", x(1.8288)),
    ("Foot", x(FOOT)),
    ("Hand", x(0.1016)),
    ("Hectometer", x(100.0)),
    ("Inch", x(INCH)),
    ("KilolightYear", x(LIGHT_YEAR * 1e3)),
    ("Kilometer", x(1e3)),
    ("Kiloparsec", x(PARSEC * 1e3)),
    ("LightYear", x(LIGHT_YEAR)),
    ("MegalightYear", x(LIGHT_YEAR * 1e6)),
    ("Megaparsec", x(PARSEC * 1e6)),
    ("Meter", x(1.0)),
    ("Microinch", x(INCH * 1e-6)),
    ("Micrometer", x(1e-6)),
    ("Mil", x(INCH * 1e-3)),
    ("Mile", x(1609.344)),
    ("Millimeter", x(1e-3)),
    ("Nanometer", x(1e-9)),
    ("NauticalMile", x(1852.0)),
    ("Parsec", x(PARSEC)),
    ("PrinterPica", x(INCH * 12.0 / 72.27)),
    ("PrinterPoint", x(INCH / 72.27)),
    ("Shackle", x(27.432)),
    ("SolarRadius", x(6.95510000e8)),
    ("Twip", x(INCH / 1440.0)),
    ("UsSurveyFoot", x(US_SURVEY_FOOT)),
    ("Yard", x(0.9144)),
];

const POUND: f64 = 0.45359237;
const MASS: &[(&str, Unit)] = &[
    ("Centigram", x(1e-5)),
    ("Decagram", x(1e-2)),
    ("Decigram", x(1e-4)),
    ("EarthMass", x(5.9722e24)),
    ("Grain", x(64.79891e-6)),
    ("Gram", x(1e-3)),
    ("Hectogram", x(1e-1)),
    ("Kilogram", x(1.0)),
    ("Kilopound", x(POUND * 1e3)),
    ("Kilotonne", x(1e6)),
    ("LongHundredweight", x(POUND * 112.0)),
    ("LongTon", x(POUND * 2240.0)),
    ("Megapound", x(POUND * 1e6)),
    ("Megatonne", x(1e9)),
    ("Microgram", x(1e-9)),
    ("Milligram", x(1e-6)),
    ("Nanogram", x(1e-12)),
    ("Ounce", x(POUND / 16.0)),
    ("Pound", x(POUND)),
    ("ShortHundredweight", x(POUND * 100.0)),
    ("ShortTon", x(POUND * 2000.0)),
    ("Slug", x(14.593902937206364)),
    ("SolarMass", x(1.98947e30)),
    ("Stone", x(POUND * 14.0)),
    ("Tonne", x(1e3)),
];

const HOUR: f64 = 3600.0;
const MINUTE: f64 = 60.0;
const SPEED: &[(&str, Unit)] = &[
    ("CentimeterPerHour", x(1e-2 / HOUR)),
    ("CentimeterPerMinute", x(1e-2 / MINUTE)),
    ("CentimeterPerSecond", x(1e-2)),
    ("DecimeterPerMinute", x(1e-1 / MINUTE)),
    ("DecimeterPerSecond", x(1e-1)),
    ("FootPerHour", x(FOOT / HOUR)),
    ("FootPerMinute", x(FOOT / MINUTE)),
    ("FootPerSecond", x(FOOT)),
    ("InchPerHour", x(INCH / HOUR)),
    ("InchPerMinute", x(INCH / MINUTE)),
    ("InchPerSecond", x(INCH)),
    ("KilometerPerHour", x(1e3 / HOUR)),
    ("KilometerPerMinute", x(1e3 / MINUTE)),
    ("KilometerPerSecond", x(1e3)),
    ("Knot", x(1852.0 / HOUR)),
    ("MeterPerHour", x(1.0 / HOUR)),
    ("MeterPerMinute", x(1.0 / MINUTE)),
    ("MeterPerSecond", x(1.0)),
    ("MicrometerPerMinute", x(1e-6 / MINUTE)),
    ("MicrometerPerSecond", x(1e-6)),
    ("MilePerHour", x(1609.344 / HOUR)),
    ("MillimeterPerHour", x(1e-3 / HOUR)),
    ("MillimeterPerMinute", x(1e-3 / MINUTE)),
    ("MillimeterPerSecond", x(1e-3)),
    ("NanometerPerMinute", x(1e-9 / MINUTE)),
    ("NanometerPerSecond", x(1e-9)),
    ("UsSurveyFootPerHour", x(US_SURVEY_FOOT / HOUR)),
    ("UsSurveyFootPerMinute", x(US_SURVEY_FOOT / MINUTE)),
    ("UsSurveyFootPerSecond", x(US_SURVEY_FOOT)),
    ("YardPerHour", x(0.9144 / HOUR)),
    ("YardPerMinute", x(0.9144 / MINUTE)),
    ("YardPerSecond", x(0.9144)),
];

const ZERO_CELSIUS: f64 = 273.15;
const TEMPERATURE: &[(&str, Unit)] = &[
    ("DegreeCelsius", Unit::Affine(1.0, ZERO_CELSIUS)),
    (
        "DegreeDelisle",
        Unit::Affine(-2.0 / 3.0, ZERO_CELSIUS + 100.0),
    ),
    (
        "DegreeFahrenheit",
        Unit::Affine(5.0 / 9.0, 459.67 * 5.0 / 9.0),
    ),
    ("DegreeNewton", Unit::Affine(100.0 / 33.0, ZERO_CELSIUS)),
    ("DegreeRankine", x(5.0 / 9.0)),
    ("DegreeReaumur", Unit::Affine(5.0 / 4.0, ZERO_CELSIUS)),
    (
        "DegreeRoemer",
        Unit::Affine(40.0 / 21.0, ZERO_CELSIUS - 7.5 * 40.0 / 21.0),
    ),
    ("Kelvin", x(1.0)),
    ("MillidegreeCelsius", Unit::Affine(1e-3, ZERO_CELSIUS)),
    ("SolarTemperature", x(5778.0)),
];

const LITER: f64 = 1e-3;
const CUBIC_FOOT: f64 = FOOT * FOOT * FOOT;
const US_GALLON: f64 = 3.785411784e-3;
const IMPERIAL_GALLON: f64 = 4.54609e-3;
const VOLUME: &[(&str, Unit)] = &[
    ("AcreFoot", x(1.0 / 0.000810714)),
    ("AuTablespoon", x(2e-5)),
    ("BoardFoot", x(CUBIC_FOOT / 12.0)),
    ("Centiliter", x(LITER * 1e-2)),
    ("CubicCentimeter", x(1e-6)),
    ("CubicDecimeter", x(1e-3)),
    ("CubicFoot", x(CUBIC_FOOT)),
    ("CubicHectometer", x(1e6)),
    ("CubicInch", x(INCH * INCH * INCH)),
    ("CubicKilometer", x(1e9)),
    ("CubicMeter", x(1.0)),
    ("CubicMicrometer", x(1e-18)),
    ("CubicMile", x(1609.344 * 1609.344 * 1609.344)),
    ("CubicMillimeter", x(1e-9)),
    ("CubicYard", x(0.9144 * 0.9144 * 0.9144)),
    ("Decaliter", x(LITER * 10.0)),
    ("DecausGallon", x(US_GALLON * 10.0)),
    ("Deciliter", x(LITER * 1e-1)),
    ("DeciusGallon", x(US_GALLON * 1e-1)),
    ("HectocubicFoot", x(CUBIC_FOOT * 100.0)),
    ("HectocubicMeter", x(100.0)),
    ("Hectoliter", x(LITER * 100.0)),
    ("HectousGallon", x(US_GALLON * 100.0)),
    ("ImperialBeerBarrel", x(IMPERIAL_GALLON * 36.0)),
    ("ImperialGallon", x(IMPERIAL_GALLON)),
    ("ImperialOunce", x(IMPERIAL_GALLON / 160.0)),
    ("ImperialPint", x(IMPERIAL_GALLON / 8.0)),
    ("KilocubicFoot", x(CUBIC_FOOT * 1e3)),
    ("KilocubicMeter", x(1e3)),
    ("KiloimperialGallon", x(IMPERIAL_GALLON * 1e3)),
    ("Kiloliter", x(LITER * 1e3)),
    ("KilousGallon", x(US_GALLON * 1e3)),
    ("Liter", x(LITER)),
    ("MegacubicFoot", x(CUBIC_FOOT * 1e6)),
    ("MegaimperialGallon", x(IMPERIAL_GALLON * 1e6)),
    ("Megaliter", x(LITER * 1e6)),
    ("MegausGallon", x(US_GALLON * 1e6)),
    ("MetricCup", x(2.5e-4)),
    ("MetricTeaspoon", x(5e-6)),
    ("Microliter", x(LITER * 1e-6)),
    ("Milliliter", x(LITER * 1e-3)),
    ("OilBarrel", x(US_GALLON * 42.0)),
    ("UkTablespoon", x(1.5e-5)),
    ("UsBeerBarrel", x(US_GALLON * 31.0)),
    ("UsCustomaryCup", x(US_GALLON / 16.0)),
    ("UsGallon", x(US_GALLON)),
    ("UsLegalCup", x(2.4e-4)),
    ("UsOunce", x(US_GALLON / 128.0)),
    ("UsPint", x(US_GALLON / 8.0)),
    ("UsQuart", x(US_GALLON / 4.0)),
    ("UsTablespoon", x(US_GALLON / 256.0)),
    ("UsTeaspoon", x(US_GALLON / 768.0)),
];

fn unit(table: &[(&str, Unit)], name: &Value) -> Option<Unit> {
    let Value::String(name) = name else {
        return None;
    };
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, u)| *u)
}

/// `convert_<family>(value, from, to)`: null for a null value or an
/// unknown unit.
fn convert(table: &[(&str, Unit)], args: &[Value]) -> Value {
    match (
        real_of(arg(args, 0)),
        unit(table, arg(args, 1)),
        unit(table, arg(args, 2)),
    ) {
        (Some(v), Some(from), Some(to)) => Value::Real(to.of_base(from.to_base(v))),
        _ => Value::Null,
    }
}

fn convert_angle(args: &[Value], _: &EvalContext) -> Value {
    convert(ANGLE, args)
}

fn convert_energy(args: &[Value], _: &EvalContext) -> Value {
    convert(ENERGY, args)
}

fn convert_force(args: &[Value], _: &EvalContext) -> Value {
    convert(FORCE, args)
}

fn convert_length(args: &[Value], _: &EvalContext) -> Value {
    convert(LENGTH, args)
}

fn convert_mass(args: &[Value], _: &EvalContext) -> Value {
    convert(MASS, args)
}

fn convert_speed(args: &[Value], _: &EvalContext) -> Value {
    convert(SPEED, args)
}

fn convert_temperature(args: &[Value], _: &EvalContext) -> Value {
    convert(TEMPERATURE, args)
}

fn convert_volume(args: &[Value], _: &EvalContext) -> Value {
    convert(VOLUME, args)
}
