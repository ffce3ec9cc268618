//! Error pages say what happened and a way on: a refusal is not "something
//! went wrong", a missing page is not a refusal, and each has its own title.

use crate::common::form::{page, read};
use crate::common::{self, TestApp};

both_engines!(
    kernel_error_pages_say_what_happened,
    |app: TestApp| async move {
        let analyst = app.login("analyst").await;
        // A role without the right: 403, said as such.
        let (status, html) = page(&analyst, &app, "/deltagare/ny").await;
        assert_eq!(status, 403);
        assert!(html.contains("<title>Inte tillåtet för din roll"), "{html}");
        assert!(
            html.contains("id=\"error-forbidden\"") && html.contains("be din administratör"),
            "{html}"
        );
        assert!(!html.contains("Något gick fel"), "{html}");
        // A page that is not there: 404, with the way back.
        let cw = app.login("cw_a").await;
        let (status, html) = page(&cw, &app, "/deltagare/999999").await;
        assert_eq!(status, 404);
        assert!(html.contains("<title>Sidan finns inte"), "{html}");
        assert!(
            html.contains("id=\"error-not-found\"") && html.contains("href=\"/\""),
            "{html}"
        );
        // The same in English.
        read(&cw, &app, "/sprak/en?tillbaka=/", 303).await;
        let (status, html) = page(&cw, &app, "/deltagare/999999").await;
        assert_eq!(status, 404);
        assert!(html.contains("<title>Page not found"), "{html}");
    }
);
