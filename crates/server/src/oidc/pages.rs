//! The HTML pages a citizen sees during a login, in French and English: usable
//! without JavaScript (the waiting page refreshes itself with `<meta refresh>`; with
//! JavaScript it long-polls instead and moves on as soon as the phone answers),
//! labelled fields, visible focus, AA contrast.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// From `ui_locales` (space-separated, by preference): the first we speak.
    pub fn from_locales(list: &str) -> Option<Self> {
        list.split([' ', ',']).find_map(|tag| {
            let primary = tag.split(['-', ';']).next().unwrap_or_default();
            match primary.trim().to_ascii_lowercase().as_str() {
                "fr" => Some(Lang::Fr),
                "en" => Some(Lang::En),
                _ => None,
            }
        })
    }

    /// From `Accept-Language`; French by default.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_locales)
            .unwrap_or(Lang::Fr)
    }

    fn pick(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#161616;background:#fff;line-height:1.5}\
h1{font-size:1.5rem}label{display:block;font-weight:600;margin:.5rem 0}\
input[type=email]{width:100%;padding:.6rem;font-size:1rem;border:2px solid #161616;border-radius:4px;box-sizing:border-box}\
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;background:#000091;color:#fff;border:2px solid #000091;border-radius:4px;cursor:pointer}\
button.secondary{background:#fff;color:#000091;border:2px solid #000091}\
:focus{outline:3px solid #0a76f6;outline-offset:2px}.code{font-size:2.5rem;font-weight:700;letter-spacing:.3em}\
.error{color:#b00020;font-weight:600}ul{padding-left:1.2rem}";

fn layout(lang: Lang, title: &str, head_extra: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head_extra}\
<title>{} — alicem</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        lang.code(),
        escape(title)
    )
}

const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/// The `Content-Security-Policy` of a page. A page whose forms end back at the
/// service provider (consent, cancel: answered with a redirect to its `redirect_uri`)
/// must name that origin in `form-action`, which browsers apply to a form's
/// redirects too (a custom-scheme URI of a native app is named by its scheme);
/// otherwise the policy allows forms to post to this server only. `script`: the page
/// runs [`WAIT_SCRIPT`], allowed by its hash, and it may fetch from this server.
fn policy(return_to: Option<&str>, script: bool) -> HeaderValue {
    let mut policy = POLICY.to_owned();
    if script {
        policy.push_str(&format!(
            "; script-src '{}'; connect-src 'self'",
            *WAIT_SCRIPT_HASH
        ));
    }
    let source = return_to
        .and_then(|uri| url::Url::parse(uri).ok())
        .map(|uri| match uri.origin() {
            origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
            url::Origin::Opaque(_) => format!("{}:", uri.scheme()),
        });
    if let Some(origin) = source {
        policy = policy.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        );
    }
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(POLICY))
}

/// The waiting page's script: asks `/login/{tx}/status` to answer once the phone
/// has (held up to 20 s), then reloads the waiting page, which redirects where the
/// login goes next (consent, the service). Still waiting (`204`): asks again. Anything
/// else: reloads after 2 s, as the no-script refresh does. Constant (the transaction
/// is read from the address), so the policy names it by hash.
const WAIT_SCRIPT: &str = "(function(){var u=location.pathname;\
var s=u.replace(/\\/wait$/,'/status?wait=20');\
function again(){setTimeout(function(){location.replace(u)},2000)}\
function poll(){fetch(s,{credentials:'same-origin',cache:'no-store'})\
.then(function(r){if(r.status===204){poll()}else if(r.status===200){location.replace(u)}\
else{again()}},again)}poll()})();";

static WAIT_SCRIPT_HASH: LazyLock<String> = LazyLock::new(|| {
    format!(
        "sha256-{}",
        Base64::encode_string(&Sha256::digest(WAIT_SCRIPT.as_bytes()))
    )
});

/// `return_to`: the client's redirect URI when the page's forms may end there.
fn respond(status: StatusCode, html: String, return_to: Option<&str>) -> Response {
    respond_with(status, html, return_to, false)
}

fn respond_with(
    status: StatusCode,
    html: String,
    return_to: Option<&str>,
    script: bool,
) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("content-security-policy", policy(return_to, script));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    r
}

/// The error page, for errors that cannot go back to the relying party.
pub fn error(lang: Lang, status: StatusCode, detail: &str) -> Response {
    let title = lang.pick("Connexion impossible", "Cannot log in");
    let body = format!(
        "<h1>{}</h1><p role=\"alert\" class=\"error\">{}</p><p>{}</p>",
        title,
        escape(detail),
        lang.pick(
            "Revenez sur le site du service et recommencez.",
            "Go back to the service's site and start again."
        )
    );
    respond(status, layout(lang, title, "", &body), None)
}

/// Asks the citizen's identifier (the e-mail given at enrollment). `return_to` is the
/// client's redirect URI (where "cancel" ends), as for the pages below.
pub fn identify(
    lang: Lang,
    service: &str,
    tx: &str,
    problem: Option<&str>,
    return_to: &str,
) -> Response {
    let title = lang.pick("S'identifier avec alicem", "Log in with alicem");
    let problem = problem
        .map(|p| {
            format!(
                "<p role=\"alert\" class=\"error\" id=\"err\">{}</p>",
                escape(p)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{title}</h1><p>{} <strong>{}</strong>.</p>{problem}\
<form method=\"post\" action=\"/login/{tx}\">\
<label for=\"identifier\">{}</label>\
<input type=\"email\" id=\"identifier\" name=\"identifier\" autocomplete=\"email\" required autofocus{}>\
<button type=\"submit\">{}</button></form>\
<form method=\"post\" action=\"/login/{tx}/cancel\"><button type=\"submit\" class=\"secondary\">{}</button></form>",
        lang.pick("Vous vous connectez à", "You are logging in to"),
        escape(service),
        lang.pick(
            "Adresse e-mail de votre identité alicem",
            "E-mail address of your alicem identity"
        ),
        if problem.is_empty() {
            ""
        } else {
            " aria-describedby=\"err\""
        },
        lang.pick("Continuer", "Continue"),
        lang.pick("Annuler", "Cancel"),
        tx = escape(tx),
    );
    respond(
        StatusCode::OK,
        layout(lang, title, "", &body),
        Some(return_to),
    )
}

/// "Approve on your phone: 48 21": long-polled by [`WAIT_SCRIPT`], or refreshed
/// every two seconds without JavaScript.
pub fn waiting(lang: Lang, service: &str, tx: &str, short_code: &str, return_to: &str) -> Response {
    let title = lang.pick("Validez sur votre téléphone", "Approve on your phone");
    let spaced = match (short_code.get(..2), short_code.get(2..)) {
        (Some(a), Some(b)) => format!("{a} {b}"),
        _ => short_code.to_owned(),
    };
    let head = format!(
        "<noscript><meta http-equiv=\"refresh\" content=\"2;url=/login/{}/wait\"></noscript>\
<script>{WAIT_SCRIPT}</script>",
        escape(tx)
    );
    let body = format!(
        "<h1>{title}</h1><p>{} <strong>{}</strong> {}</p>\
<p>{}</p><p class=\"code\" aria-live=\"polite\">{}</p>\
<p><a href=\"/login/{tx}/wait\">{}</a></p>\
<form method=\"post\" action=\"/login/{tx}/cancel\"><button type=\"submit\" class=\"secondary\">{}</button></form>",
        lang.pick("Une demande de connexion à", "A login request for"),
        escape(service),
        lang.pick(
            "a été envoyée à l'application alicem de votre téléphone.",
            "was sent to the alicem app on your phone."
        ),
        lang.pick(
            "Vérifiez que votre téléphone affiche ce code, puis saisissez votre code secret\u{a0}:",
            "Check that your phone shows this code, then enter your PIN:"
        ),
        escape(&spaced),
        lang.pick("J'ai validé, continuer", "I approved, continue"),
        lang.pick("Annuler", "Cancel"),
        tx = escape(tx),
    );
    respond_with(
        StatusCode::OK,
        layout(lang, title, &head, &body),
        Some(return_to),
        true,
    )
}

fn claim_label(lang: Lang, claim: &str) -> &str {
    match claim {
        "given_name" => lang.pick("Prénoms", "Given names"),
        "family_name" => lang.pick("Nom de naissance", "Family name"),
        "birthdate" => lang.pick("Date de naissance", "Date of birth"),
        "gender" => lang.pick("Sexe", "Gender"),
        "birthplace" => lang.pick("Lieu de naissance", "Place of birth"),
        "birthcountry" => lang.pick("Pays de naissance", "Country of birth"),
        "email" => lang.pick("Adresse e-mail", "E-mail address"),
        "preferred_username" => lang.pick("Nom d'usage", "Usual name"),
        other => other,
    }
}

/// The first time a citizen meets a provider: what it will receive.
pub fn consent(
    lang: Lang,
    service: &str,
    tx: &str,
    claims: &[String],
    return_to: &str,
) -> Response {
    let title = lang.pick("Autoriser la transmission", "Allow sharing");
    let items: String = claims
        .iter()
        .map(|c| format!("<li>{}</li>", escape(claim_label(lang, c))))
        .collect();
    let body = format!(
        "<h1>{title}</h1><p><strong>{}</strong> {}</p><ul>{items}</ul>\
<form method=\"post\" action=\"/login/{tx}/consent\"><input type=\"hidden\" name=\"decision\" value=\"allow\">\
<button type=\"submit\" autofocus>{}</button></form>\
<form method=\"post\" action=\"/login/{tx}/consent\"><input type=\"hidden\" name=\"decision\" value=\"deny\">\
<button type=\"submit\" class=\"secondary\">{}</button></form>",
        escape(service),
        lang.pick(
            "recevra les informations suivantes de votre identité\u{a0}:",
            "will receive the following from your identity:"
        ),
        lang.pick("Autoriser et continuer", "Allow and continue"),
        lang.pick("Refuser", "Refuse"),
        tx = escape(tx),
    );
    respond(
        StatusCode::OK,
        layout(lang, title, "", &body),
        Some(return_to),
    )
}

/// After a logout without a redirect.
pub fn logged_out(lang: Lang) -> Response {
    let title = lang.pick("Vous êtes déconnecté", "You are logged out");
    let body = format!(
        "<h1>{title}</h1><p>{}</p>",
        lang.pick("Vous pouvez fermer cette page.", "You can close this page.")
    );
    respond(StatusCode::OK, layout(lang, title, "", &body), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_picks_languages() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(Lang::from_locales("de en-GB fr"), Some(Lang::En));
        assert_eq!(Lang::from_locales("fr-FR,fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(Lang::from_locales("de"), None);
    }

    fn csp(page: &Response) -> &str {
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap_or("")
    }

    #[test]
    fn pages_whose_forms_end_at_the_service_allow_its_origin_and_no_other() {
        let uri = "https://rp.example:8443/callback?x=1";
        let consent_page = consent(Lang::Fr, "RP", "tx", &["given_name".into()], uri);
        assert!(
            csp(&consent_page).contains("form-action 'self' https://rp.example:8443;"),
            "{}",
            csp(&consent_page)
        );
        let waiting_page = waiting(Lang::En, "RP", "tx", "4821", uri);
        assert!(csp(&waiting_page).contains("form-action 'self' https://rp.example:8443;"));
        let identify_page = identify(Lang::En, "RP", "tx", None, uri);
        assert!(csp(&identify_page).contains("form-action 'self' https://rp.example:8443;"));
        // No forms back to a service: this server only.
        let error_page = error(Lang::Fr, StatusCode::NOT_FOUND, "gone");
        assert!(
            csp(&error_page).contains("form-action 'self';"),
            "{}",
            csp(&error_page)
        );
        // A native app's custom-scheme redirect URI has no origin: its scheme.
        let custom = consent(Lang::Fr, "RP", "tx", &[], "com.example.app:/cb");
        assert!(
            csp(&custom).contains("form-action 'self' com.example.app:;"),
            "{}",
            csp(&custom)
        );
    }

    #[tokio::test]
    async fn the_waiting_page_allows_exactly_its_own_script_and_refreshes_without_one() {
        let page = waiting(Lang::Fr, "RP", "tx-1", "4821", "https://rp.example/cb");
        let policy = csp(&page).to_owned();
        let bytes = axum::body::to_bytes(page.into_body(), usize::MAX)
            .await
            .unwrap();
        let html = String::from_utf8(bytes.to_vec()).unwrap();
        let script = html
            .split_once("<script>")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map(|(script, _)| script)
            .expect("a script");
        let hash = Base64::encode_string(&Sha256::digest(script.as_bytes()));
        assert!(
            policy.contains(&format!("script-src 'sha256-{hash}'")),
            "{policy}"
        );
        assert!(policy.contains("connect-src 'self'"), "{policy}");
        assert!(
            html.contains(
                "<noscript><meta http-equiv=\"refresh\" content=\"2;url=/login/tx-1/wait\"></noscript>"
            ),
            "{html}"
        );
        // Other pages run no script at all.
        let other = identify(Lang::Fr, "RP", "tx-1", None, "https://rp.example/cb");
        assert!(!csp(&other).contains("script-src"), "{}", csp(&other));
    }
}
