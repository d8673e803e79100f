//! The OverOps payload as the fast path reads it: typed, borrowed, and
//! with every field the tolerant parser reads.
//!
//! Each struct deserializes only from a JSON object, never from an array
//! as derived struct impls also allow. The last of repeated keys wins, as
//! in `serde_json::Value`. Unknown keys are read and dropped with [`Skip`],
//! so their content fails where the tolerant parser's first attempt fails.

use super::details::read_frame;
use super::json::{Scalar, Skip, StringList, Text};
use crate::payload;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Implements `Deserialize` for a struct of `Option` fields from a JSON
/// object, one field per key.
macro_rules! deserialize_object {
    ($name:ident, $expecting:literal, { $($key:literal => $field:ident),+ $(,)? }) => {
        impl<'de> Deserialize<'de> for $name<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;

                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = $name<'de>;

                    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                        formatter.write_str($expecting)
                    }

                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut entries: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut object = $name::default();
                        while let Some(key) = entries.next_key::<Text<'de>>()? {
                            match &*key {
                                $($key => object.$field = entries.next_value()?,)+
                                _ => {
                                    entries.next_value::<Skip>()?;
                                }
                            }
                        }
                        Ok(object)
                    }
                }

                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

/// The top-level object.
#[derive(Debug, Default)]
pub(super) struct Envelope<'de> {
    pub(super) api_version: Option<Scalar<'de>>,
    pub(super) message_type: Option<Scalar<'de>>,
    pub(super) date: Option<Scalar<'de>>,
    pub(super) username: Option<Scalar<'de>>,
    pub(super) service_id: Option<Scalar<'de>>,
    pub(super) service_name: Option<Scalar<'de>>,
    pub(super) data: Option<Data<'de>>,
}

deserialize_object!(Envelope, "an OverOps alert object", {
    "api_version" => api_version,
    "type" => message_type,
    "date" => date,
    "username" => username,
    "service_id" => service_id,
    "service_name" => service_name,
    "data" => data,
});

/// `data`: the alert.
#[derive(Debug, Default)]
pub(super) struct Data<'de> {
    pub(super) kind: Option<Scalar<'de>>,
    pub(super) summary: Option<Scalar<'de>>,
    pub(super) view_name: Option<Scalar<'de>>,
    pub(super) added_by: Option<StringList<'de>>,
    pub(super) details: Option<Details<'de>>,
}

deserialize_object!(Data, "the data object of an OverOps alert", {
    "type" => kind,
    "summary" => summary,
    "view_name" => view_name,
    "added_by" => added_by,
    "data" => details,
});

/// `data.data`, with the keys of both an error event and a threshold
/// breach, because `data.type` may come after it.
#[derive(Debug, Default)]
pub(super) struct Details<'de> {
    pub(super) event_type: Option<Scalar<'de>>,
    pub(super) location: Option<ConvertedFrame>,
    pub(super) entry_point: Option<ConvertedFrame>,
    pub(super) stacktrace: Option<FrameList>,
    pub(super) link: Option<Scalar<'de>>,
    pub(super) server_name: Option<Scalar<'de>>,
    pub(super) app_name: Option<Scalar<'de>>,
    pub(super) deployment_name: Option<Scalar<'de>>,
    pub(super) name: Option<Scalar<'de>>,
    pub(super) is_caught: Option<Scalar<'de>>,
    pub(super) message: Option<Scalar<'de>>,
    pub(super) level: Option<Scalar<'de>>,
    pub(super) error_code: Option<Scalar<'de>>,
    pub(super) threshold: Option<Scalar<'de>>,
    pub(super) times: Option<Scalar<'de>>,
    pub(super) from_timestamp: Option<Scalar<'de>>,
    pub(super) to_timestamp: Option<Scalar<'de>>,
    pub(super) top_events: Option<Vec<Option<TopEvent<'de>>>>,
}

deserialize_object!(Details, "an error event or a threshold breach", {
    "type" => event_type,
    "location" => location,
    "entry_point" => entry_point,
    "stacktrace" => stacktrace,
    "link" => link,
    "server_name" => server_name,
    "app_name" => app_name,
    "deployment_name" => deployment_name,
    "name" => name,
    "is_caught" => is_caught,
    "message" => message,
    "level" => level,
    "error_code" => error_code,
    "threshold" => threshold,
    "times" => times,
    "from_timestamp" => from_timestamp,
    "to_timestamp" => to_timestamp,
    "top_events" => top_events,
});

/// One entry of `top_events`.
#[derive(Debug, Default)]
pub(super) struct TopEvent<'de> {
    pub(super) title: Option<Scalar<'de>>,
    pub(super) frame: Option<ConvertedFrame>,
    pub(super) times: Option<Scalar<'de>>,
    pub(super) link: Option<Scalar<'de>>,
}

deserialize_object!(TopEvent, "a top event object", {
    "title" => title,
    "frame" => frame,
    "times" => times,
    "link" => link,
});

/// A stack frame.
#[derive(Debug, Default)]
pub(super) struct Frame<'de> {
    pub(super) class_name: Option<Scalar<'de>>,
    pub(super) method_name: Option<Scalar<'de>>,
    pub(super) method_desc: Option<Scalar<'de>>,
    pub(super) full_name: Option<Scalar<'de>>,
    pub(super) is_3rd_party: Option<Scalar<'de>>,
    pub(super) is_catch_frame: Option<Scalar<'de>>,
    pub(super) is_hit_frame: Option<Scalar<'de>>,
    pub(super) modification_timestamp: Option<Scalar<'de>>,
}

deserialize_object!(Frame, "a stack frame object", {
    "class_name" => class_name,
    "method_name" => method_name,
    "method_desc" => method_desc,
    "full_name" => full_name,
    "is_3rd_party" => is_3rd_party,
    "is_catch_frame" => is_catch_frame,
    "is_hit_frame" => is_hit_frame,
    "modification_timestamp" => modification_timestamp,
});

/// A stack frame, converted to the model while it is read so that the raw
/// frame is not kept.
#[derive(Debug)]
pub(super) struct ConvertedFrame(pub(super) payload::Frame);

impl<'de> Deserialize<'de> for ConvertedFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let frame = Frame::deserialize(deserializer)?;
        read_frame(frame)
            .map(ConvertedFrame)
            .map_err(|_| de::Error::custom("a frame value that the tolerant parser ignores"))
    }
}

/// `stacktrace`: frames in the order sent, without the null items, which
/// the tolerant parser skips.
#[derive(Debug)]
pub(super) struct FrameList(pub(super) Vec<payload::Frame>);

impl<'de> Deserialize<'de> for FrameList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(FrameListVisitor)
    }
}

struct FrameListVisitor;

impl<'de> Visitor<'de> for FrameListVisitor {
    type Value = FrameList;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of stack frames")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<FrameList, A::Error> {
        let mut frames = Vec::new();
        while let Some(item) = items.next_element::<Option<ConvertedFrame>>()? {
            frames.extend(item.map(|frame| frame.0));
        }
        Ok(FrameList(frames))
    }
}
