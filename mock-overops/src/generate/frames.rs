//! JVM stack frames and stack traces.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::context::Context;
use super::vocab::{
    LAYERS, NOUNS, PLAIN_PARAMETERS, PLAIN_RETURNS, THIRD_PARTY_FRAMES, THREAD_BASE_FRAMES, VERBS,
    pick,
};

/// Maximum age of the code behind a frame: 90 days in ms.
const MAX_CODE_AGE_MS: u64 = 90 * 24 * 60 * 60 * 1000;

/// One frame of an OverOps stack trace.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Dotted class name, such as `com.acme.orders.service.OrderService`.
    pub class_name: String,
    /// Method name, including `<init>`, `<clinit>` and `lambda$name$N`.
    pub method_name: String,
    /// JVM method descriptor, such as `(Lcom/acme/orders/model/Order;)V`.
    pub method_desc: String,
    pub is_3rd_party: bool,
    pub is_catch_frame: bool,
    pub is_hit_frame: bool,
    /// Last modification of the class, in epoch milliseconds.
    pub modification_ms: u64,
}

impl Frame {
    /// Class name without its package, such as `OrderService`.
    pub(crate) fn simple_class_name(&self) -> &str {
        self.class_name
            .rsplit('.')
            .next()
            .unwrap_or(&self.class_name)
    }

    /// Converts the frame into its JSON object, with `modification_timestamp`
    /// as a string of epoch milliseconds like in the public OverOps model.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "class_name": self.class_name,
            "method_name": self.method_name,
            "method_desc": self.method_desc,
            "full_name": format!("{}.{}", self.class_name, self.method_name),
            "is_3rd_party": self.is_3rd_party,
            "is_catch_frame": self.is_catch_frame,
            "is_hit_frame": self.is_hit_frame,
            "modification_timestamp": self.modification_ms.to_string(),
        })
    }
}

/// Draws a frame of the customer's own code.
pub(crate) fn app_frame(rng: &mut ChaCha8Rng, context: &Context) -> Frame {
    let (package, suffix) = *pick(rng, LAYERS);
    let noun = *pick(rng, NOUNS);
    let class_name = format!(
        "com.{}.{}.{package}.{noun}{suffix}",
        context.company, context.domain
    );

    let verb = *pick(rng, VERBS);
    let parameters = draw_parameters(rng, context);
    let (method_name, method_desc) = match rng.gen_range(0..100) {
        0..5 => ("<init>".to_owned(), format!("({parameters})V")),
        5..8 => ("<clinit>".to_owned(), "()V".to_owned()),
        8..20 => (
            format!("lambda${verb}{noun}${}", rng.gen_range(0..8)),
            format!("({parameters}){}", pick(rng, PLAIN_RETURNS)),
        ),
        _ => (
            format!("{verb}{noun}"),
            format!("({parameters}){}", draw_return(rng, context)),
        ),
    };

    Frame {
        class_name,
        method_name,
        method_desc,
        is_3rd_party: false,
        is_catch_frame: false,
        is_hit_frame: false,
        modification_ms: draw_modification(rng, context),
    }
}

/// Draws the servlet method where the request entered the customer's code.
pub(crate) fn entry_point_frame(rng: &mut ChaCha8Rng, context: &Context) -> Frame {
    let noun = *pick(rng, NOUNS);
    let method_name = if rng.gen_bool(0.5) { "doPost" } else { "doGet" };
    Frame {
        class_name: format!(
            "com.{}.{}.web.{noun}Servlet",
            context.company, context.domain
        ),
        method_name: method_name.to_owned(),
        method_desc:
            "(Ljavax/servlet/http/HttpServletRequest;Ljavax/servlet/http/HttpServletResponse;)V"
                .to_owned(),
        is_3rd_party: false,
        is_catch_frame: false,
        is_hit_frame: false,
        modification_ms: draw_modification(rng, context),
    }
}

/// Builds a stack trace of exactly `depth` frames, innermost first.
///
/// The first frame is `location`. When there is room, the trace ends with
/// `entry_point`, the servlet container and the thread frames below it.
/// The frames between mix application and framework frames. When `caught`
/// is true, one frame below the location is the catch frame.
pub(crate) fn stack_trace(
    rng: &mut ChaCha8Rng,
    context: &Context,
    location: &Frame,
    entry_point: &Frame,
    depth: usize,
    caught: bool,
) -> Vec<Frame> {
    if depth == 0 {
        return Vec::new();
    }

    let mut tail = vec![entry_point.clone()];
    for &(class_name, method_name, method_desc) in &THIRD_PARTY_FRAMES[..4] {
        tail.push(third_party_frame(
            rng,
            context,
            class_name,
            method_name,
            method_desc,
        ));
    }
    for &(class_name, method_name, method_desc) in THREAD_BASE_FRAMES {
        tail.push(third_party_frame(
            rng,
            context,
            class_name,
            method_name,
            method_desc,
        ));
    }

    let mut frames = vec![location.clone()];
    let middle_len = depth.saturating_sub(1 + tail.len());
    for _ in 0..middle_len {
        let frame = if rng.gen_bool(0.7) {
            app_frame(rng, context)
        } else {
            let &(class_name, method_name, method_desc) = pick(rng, THIRD_PARTY_FRAMES);
            third_party_frame(rng, context, class_name, method_name, method_desc)
        };
        frames.push(frame);
    }
    frames.extend(tail);
    frames.truncate(depth);

    if caught && frames.len() > 1 {
        let index = rng.gen_range(1..frames.len());
        frames[index].is_catch_frame = true;
    }
    frames
}

fn third_party_frame(
    rng: &mut ChaCha8Rng,
    context: &Context,
    class_name: &str,
    method_name: &str,
    method_desc: &str,
) -> Frame {
    Frame {
        class_name: class_name.to_owned(),
        method_name: method_name.to_owned(),
        method_desc: method_desc.to_owned(),
        is_3rd_party: true,
        is_catch_frame: false,
        is_hit_frame: false,
        modification_ms: draw_modification(rng, context),
    }
}

fn draw_parameters(rng: &mut ChaCha8Rng, context: &Context) -> String {
    let count = rng.gen_range(0..=3);
    let mut parameters = String::new();
    for _ in 0..count {
        if rng.gen_bool(0.4) {
            parameters.push_str(&domain_type(rng, context));
        } else {
            let parameter = *pick::<&str>(rng, PLAIN_PARAMETERS);
            parameters.push_str(parameter);
        }
    }
    parameters
}

fn draw_return(rng: &mut ChaCha8Rng, context: &Context) -> String {
    if rng.gen_bool(0.3) {
        domain_type(rng, context)
    } else {
        (*pick(rng, PLAIN_RETURNS)).to_owned()
    }
}

/// Returns the descriptor of a model class, such as `Lcom/acme/orders/model/Order;`.
fn domain_type(rng: &mut ChaCha8Rng, context: &Context) -> String {
    let noun = pick(rng, NOUNS);
    format!("Lcom/{}/{}/model/{noun};", context.company, context.domain)
}

fn draw_modification(rng: &mut ChaCha8Rng, context: &Context) -> u64 {
    context
        .date_ms
        .saturating_sub(rng.gen_range(0..MAX_CODE_AGE_MS))
}
