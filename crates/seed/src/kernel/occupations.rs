//! The occupations the seed writes, and which of them fit an employer's
//! industry.
//!
//! Every SSYK 2012 code here is a unit group of the shipped taxonomy
//! (`data/taxonomy`), and each role title is one a person in that group
//! carries (the taxonomy's label is given beside it); the seed's tests check
//! both against the taxonomy. [`for_industry`] is the small table that keeps
//! a host's or an employer's occupations plausible: care at care employers,
//! children at preschools, warehouses at logistics firms, kitchens at
//! restaurants and hotels.

/// (SSYK 4, role title) of every occupation the seed uses for placements,
/// assignments and plans. The taxonomy's group label is in the comment.
pub const TITLES: &[(&str, &str)] = &[
    ("2221", "Sjuksköterska"),              // Grundutbildade sjuksköterskor
    ("2341", "Grundskollärare"),            // Grundskollärare
    ("2342", "Fritidspedagog"),             // Fritidspedagoger
    ("2343", "Förskollärare"),              // Förskollärare
    ("4111", "Ekonomiassistent"),           // Ekonomiassistenter m.fl.
    ("4116", "Skolassistent"),              // Skolassistenter m.fl.
    ("4117", "Medicinsk sekreterare"),      // Medicinska sekreterare, vårdadministratörer m.fl.
    ("4119", "Administratör"),              // Övriga kontorsassistenter och sekreterare
    ("4222", "Kundtjänstmedarbetare"),      // Kundtjänstpersonal
    ("4224", "Hotellreceptionist"),         // Hotellreceptionister m.fl.
    ("4322", "Lagerarbetare"),              // Lager- och terminalpersonal
    ("5120", "Kock"),                       // Kockar och kallskänkor
    ("5131", "Servitör"),                   // Hovmästare och servitörer
    ("5151", "Städledare"),                 // Städledare och husfruar
    ("5152", "Fastighetsskötare"),          // Fastighetsskötare
    ("5222", "Butikssäljare, dagligvaror"), // Butikssäljare, dagligvaror
    ("5223", "Butikssäljare, fackhandel"),  // Butikssäljare, fackhandel
    ("5230", "Kassapersonal"),              // Kassapersonal m.fl.
    ("5311", "Barnskötare"),                // Barnskötare
    ("5312", "Elevassistent"),              // Elevassistenter m.fl.
    ("5321", "Undersköterska"), // Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering
    ("5323", "Undersköterska, vård- och specialavdelning"), // Undersköterskor, vård- och specialavdelning och mottagning
    ("5330", "Vårdbiträde"),                                // Vårdbiträden
    ("5342", "Boendestödjare"),                             // Vårdare, boendestödjare
    ("5343", "Personlig assistent"),                        // Personliga assistenter
    ("7111", "Snickare"),                                   // Träarbetare, snickare m.fl.
    ("7112", "Murare"),                                     // Murare m.fl.
    ("7113", "Betongarbetare"),                             // Betongarbetare
    ("7119", "Byggnads- och anläggningsarbetare"), // Övriga byggnads- och anläggningsarbetare
    ("7125", "VVS-montör"),                        // VVS-montörer m.fl.
    ("7126", "Kyltekniker"),                       // Kyl- och värmepumpstekniker m.fl.
    ("7131", "Målare"),                            // Målare
    ("7411", "Elektriker"),                        // Installations- och serviceelektriker
    ("8331", "Bussförare"),                        // Buss- och spårvagnsförare
    ("8332", "Lastbilsförare"),                    // Lastbilsförare m.fl.
    ("8344", "Truckförare"),                       // Truckförare
    ("9111", "Städare"),                           // Städare
    ("9120", "Fönsterputsare"),                    // Bilrekonditionerare, fönsterputsare m.fl.
    ("9310", "Grovarbetare, bygg"),                // Grovarbetare inom bygg och anläggning
    ("9320", "Packare"),                           // Handpaketerare och andra fabriksarbetare
    ("9332", "Varupåfyllare"), // Ramppersonal, flyttkarlar och varupåfyllare m.fl.
    ("9412", "Köksbiträde"),   // Restaurang- och köksbiträden m.fl.
    ("9413", "Kafébiträde"),   // Kafé- och konditoribiträden
    ("9622", "Vaktmästare"),   // Vaktmästare m.fl.
];

/// The role title the seed uses for `ssyk`, if it is one of [`TITLES`].
pub fn title(ssyk: &str) -> Option<&'static str> {
    TITLES.iter().find(|(c, _)| *c == ssyk).map(|(_, t)| *t)
}

/// `ssyk` as the `'static` code of [`TITLES`], if it is one.
pub fn code(ssyk: &str) -> Option<&'static str> {
    TITLES.iter().find(|(c, _)| *c == ssyk).map(|(c, _)| *c)
}

/// Occupations that fit any employer (an employer without a known industry):
/// the service work most workplaces have.
pub const ANY_INDUSTRY: &[&str] = &["9111", "4119", "9622"];

/// SNI 2007 division (two digits) → the SSYK groups a workplace in that
/// industry plausibly takes people in. Divisions not listed get
/// [`ANY_INDUSTRY`].
const BY_DIVISION: &[(&str, &[&str])] = &[
    // Food manufacturing.
    ("10", &["9320", "4322", "8344", "9111"]),
    // Construction, specialised construction (painting, installation).
    ("41", &["7111", "7112", "7113", "7119", "9310", "7131"]),
    ("42", &["7119", "9310"]),
    (
        "43",
        &["7131", "7111", "7119", "7125", "7126", "7411", "9310"],
    ),
    // Retail.
    ("47", &["5222", "5223", "5230", "9332", "4322"]),
    // Land transport; warehousing and support for transport.
    ("49", &["8332", "8331", "4322", "9332"]),
    ("52", &["4322", "8344", "9332", "8332"]),
    // Hotels; restaurants and cafés.
    ("55", &["9412", "5120", "5131", "4224", "9111"]),
    ("56", &["9412", "9413", "5120", "5131"]),
    // IT consultancy: the office around it.
    ("62", &["4111", "4119", "4222"]),
    // Real estate.
    ("68", &["5152", "9111", "9622", "9120"]),
    // Staffing agencies: what they rent out in Stockholm.
    ("78", &["9111", "4322", "5330", "9412", "8344"]),
    // Cleaning and facility services.
    ("81", &["9111", "9120", "5151", "5152"]),
    // Public administration.
    ("84", &["4119", "9111", "9622", "5152"]),
    // Education: preschools and schools.
    (
        "85",
        &[
            "5311", "5312", "2343", "2341", "2342", "4116", "9412", "9111",
        ],
    ),
    // Health care.
    ("86", &["5323", "5330", "2221", "4117", "9111"]),
    // Residential care (elder care, group homes).
    ("87", &["5321", "5330", "5342", "5343", "9412"]),
    // Social work without accommodation (home care, personal assistance).
    ("88", &["5321", "5330", "5343", "5342"]),
];

/// The SSYK groups that fit an employer with SNI code `sni` (its division
/// decides; any longer code is cut to two digits).
pub fn for_industry(sni: Option<&str>) -> &'static [&'static str] {
    let division = sni
        .map(|s| s.trim())
        .filter(|s| s.len() >= 2)
        .map(|s| &s[..2]);
    division
        .and_then(|d| BY_DIVISION.iter().find(|(k, _)| *k == d))
        .map_or(ANY_INDUSTRY, |(_, codes)| codes)
}

/// Whether `ssyk` fits an employer with SNI code `sni`.
pub fn fits(sni: Option<&str>, ssyk: &str) -> bool {
    for_industry(sni).contains(&ssyk)
}

/// Every SSYK code the industry table names (for the tests).
pub fn all_industry_codes() -> impl Iterator<Item = &'static str> {
    BY_DIVISION
        .iter()
        .flat_map(|(_, c)| c.iter().copied())
        .chain(ANY_INDUSTRY.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_tables_has_a_title_and_no_code_twice() {
        for c in all_industry_codes() {
            assert!(title(c).is_some(), "{c} has no role title");
        }
        let mut codes: Vec<&str> = TITLES.iter().map(|t| t.0).collect();
        codes.sort();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert_eq!(for_industry(Some("87.301")), for_industry(Some("87")));
        assert_eq!(for_industry(None), ANY_INDUSTRY);
        assert!(fits(Some("52"), "4322") && !fits(Some("85"), "4322"));
    }
}
