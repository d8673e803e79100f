//! Word lists that make generated payloads look like a real JVM shop.
//!
//! Every e-mail address uses a domain reserved for documentation
//! (`example.com`, `example.org`, `example.net`), and every host name is
//! made up, so generated payloads contain no real personal data.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Picks one element of a non-empty list.
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Second-level package names that stand for the customer's company.
pub(crate) const COMPANIES: &[&str] = &[
    "acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wonka",
];

/// Business areas, used as package names and application names.
pub(crate) const DOMAINS: &[&str] = &[
    "orders",
    "billing",
    "inventory",
    "payments",
    "shipping",
    "catalog",
    "accounts",
    "pricing",
];

/// Package layer and the class-name suffix that goes with it.
pub(crate) const LAYERS: &[(&str, &str)] = &[
    ("service", "Service"),
    ("web", "Controller"),
    ("repository", "Repository"),
    ("client", "Client"),
    ("jobs", "Job"),
    ("messaging", "Listener"),
    ("mapping", "Mapper"),
    ("validation", "Validator"),
];

/// Domain nouns used in class, method and descriptor names.
pub(crate) const NOUNS: &[&str] = &[
    "Order", "Invoice", "Customer", "Cart", "Payment", "Shipment", "Product", "Account", "Coupon",
    "Refund",
];

/// Verbs used in method names.
pub(crate) const VERBS: &[&str] = &[
    "place",
    "find",
    "update",
    "validate",
    "process",
    "load",
    "save",
    "cancel",
    "apply",
    "refresh",
    "calculate",
    "publish",
];

/// JVM descriptors of parameter types that are not domain classes.
pub(crate) const PLAIN_PARAMETERS: &[&str] = &[
    "Ljava/lang/String;",
    "J",
    "I",
    "Z",
    "Ljava/util/List;",
    "Ljava/util/Map;",
    "[B",
    "Ljava/util/UUID;",
    "Ljava/math/BigDecimal;",
];

/// JVM descriptors of return types that are not domain classes.
pub(crate) const PLAIN_RETURNS: &[&str] =
    &["V", "Z", "Ljava/util/Optional;", "Ljava/util/List;", "I"];

/// Framework and JDK frames: class, method and descriptor as a JVM reports them.
pub(crate) const THIRD_PARTY_FRAMES: &[(&str, &str, &str)] = &[
    (
        "org.springframework.web.servlet.FrameworkServlet",
        "processRequest",
        "(Ljavax/servlet/http/HttpServletRequest;Ljavax/servlet/http/HttpServletResponse;)V",
    ),
    (
        "org.springframework.web.servlet.DispatcherServlet",
        "doDispatch",
        "(Ljavax/servlet/http/HttpServletRequest;Ljavax/servlet/http/HttpServletResponse;)V",
    ),
    (
        "org.apache.catalina.core.ApplicationFilterChain",
        "internalDoFilter",
        "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V",
    ),
    (
        "org.apache.catalina.core.StandardWrapperValve",
        "invoke",
        "(Lorg/apache/catalina/connector/Request;Lorg/apache/catalina/connector/Response;)V",
    ),
    (
        "sun.reflect.GeneratedMethodAccessor42",
        "invoke",
        "(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
    ),
    (
        "java.lang.reflect.Method",
        "invoke",
        "(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;",
    ),
    (
        "org.springframework.aop.framework.ReflectiveMethodInvocation",
        "proceed",
        "()Ljava/lang/Object;",
    ),
    (
        "org.springframework.transaction.interceptor.TransactionInterceptor",
        "invoke",
        "(Lorg/aopalliance/intercept/MethodInvocation;)Ljava/lang/Object;",
    ),
    (
        "com.zaxxer.hikari.pool.HikariProxyPreparedStatement",
        "executeQuery",
        "()Ljava/sql/ResultSet;",
    ),
    (
        "org.hibernate.internal.SessionImpl",
        "find",
        "(Ljava/lang/Class;Ljava/lang/Object;)Ljava/lang/Object;",
    ),
    (
        "java.util.stream.ReferencePipeline$3$1",
        "accept",
        "(Ljava/lang/Object;)V",
    ),
    (
        "com.fasterxml.jackson.databind.ObjectMapper",
        "readValue",
        "(Ljava/lang/String;Ljava/lang/Class;)Ljava/lang/Object;",
    ),
];

/// Frames at the bottom of every request thread, outermost last.
pub(crate) const THREAD_BASE_FRAMES: &[(&str, &str, &str)] = &[
    (
        "org.apache.tomcat.util.net.SocketProcessorBase",
        "run",
        "()V",
    ),
    (
        "java.util.concurrent.ThreadPoolExecutor",
        "runWorker",
        "(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V",
    ),
    (
        "java.util.concurrent.ThreadPoolExecutor$Worker",
        "run",
        "()V",
    ),
    ("java.lang.Thread", "run", "()V"),
];

/// Exception classes with messages a JVM or library would produce.
pub(crate) const EXCEPTIONS: &[(&str, &[&str])] = &[
    (
        "java.lang.NullPointerException",
        &[
            "Cannot invoke \"String.length()\" because \"sku\" is null",
            "customer must not be null",
        ],
    ),
    (
        "java.lang.IllegalStateException",
        &[
            "Order 81723 is already shipped",
            "Connection pool shut down",
        ],
    ),
    (
        "java.lang.IllegalArgumentException",
        &[
            "Quantity must be positive: -2",
            "Unknown currency code: XBT",
        ],
    ),
    (
        "java.lang.IndexOutOfBoundsException",
        &["Index 3 out of bounds for length 3"],
    ),
    (
        "java.util.ConcurrentModificationException",
        &["ArrayList was modified during iteration"],
    ),
    (
        "java.sql.SQLTransientConnectionException",
        &["HikariPool-1 - Connection is not available, request timed out after 30000ms."],
    ),
    (
        "java.net.SocketTimeoutException",
        &["Read timed out", "connect timed out"],
    ),
    (
        "java.lang.NumberFormatException",
        &["For input string: \"12a\""],
    ),
    (
        "java.lang.ClassCastException",
        &["class java.lang.Integer cannot be cast to class java.lang.Long"],
    ),
];

/// Logged error and warning texts, as an application would pass to its logger.
pub(crate) const LOG_MESSAGES: &[&str] = &[
    "Failed to charge card for order 81723: gateway returned DECLINED",
    "Retrying publish of OrderPlaced event, attempt 3 of 5",
    "Inventory reservation expired before payment completed",
    "Cache miss storm on product prices, falling back to database",
    "Slow query on invoices: 4213 ms",
    "Customer record has no billing address, using shipping address",
];

/// HTTP statuses and reason phrases for HTTP error events.
pub(crate) const HTTP_STATUSES: &[(u16, &str)] = &[
    (500, "Internal Server Error"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
    (404, "Not Found"),
    (409, "Conflict"),
];

/// HTTP methods for HTTP error events.
pub(crate) const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];

/// OverOps environment names.
pub(crate) const ENVIRONMENTS: &[&str] = &[
    "Production",
    "Staging",
    "QA",
    "prod-eu-west",
    "prod-us-east",
];

/// OverOps view names.
pub(crate) const VIEWS: &[&str] = &[
    "New Errors",
    "All Events",
    "Critical Exceptions",
    "Resurfaced Errors",
    "Logged Errors",
    "HTTP Errors",
];

/// Given names used for the local part of e-mail addresses.
pub(crate) const GIVEN_NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
];

/// Family names used for the local part of e-mail addresses.
pub(crate) const FAMILY_NAMES: &[&str] = &[
    "smith", "jones", "garcia", "miller", "davis", "martin", "lee", "walker",
];

/// Domains reserved for documentation, so no address reaches a real person.
pub(crate) const MAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

/// Names of alert kinds that OverOps might add later.
pub(crate) const FUTURE_ALERT_TYPES: &[&str] = &[
    "ANOMALY",
    "CUSTOM_ALERT",
    "CRITICAL_EXCEPTION",
    "RELIABILITY_REPORT",
];

/// Multi-line text with tabs, markdown characters, quotes, non-ASCII and emoji.
pub(crate) const SPECIAL_TEXT: &str = "Zahlung fehlgeschlagen für Kunde «Müller» 💥\n\
    \tat step *charge* → `gateway.capture()` returned _DECLINED_ ~ retry?\n\
    \"quoted\" and 'single' — 日本語のメッセージ, emoji 🚨🔥, back\\slash";
