//! The demo's embedded HTTP target: a small shop API on 127.0.0.1, in memory.
//!
//! | Endpoint | What it does |
//! |---|---|
//! | `POST /api/login` `{username, password}` | 200 with a token and a `SESSION` cookie; 401 on a wrong password |
//! | `POST /api/logout` | ends the session |
//! | `GET /api/users/me` | the logged-in user (cookie `SESSION` or `Authorization: Bearer <token>`), else 401 |
//! | `GET /api/users?page=&size=` | a page of users |
//! | `GET /api/users/{id}` | one user, 404 when unknown |
//! | `GET /api/products` | the catalogue |
//! | `POST /api/orders` `{sku, quantity}` | 201 with the new order (login needed); 400 on an unknown sku |
//! | `GET /api/orders`, `GET /api/orders/{orderNo}` | the user's orders / one order |
//! | `POST /api/jobs`, `GET /api/jobs/{id}` | a job that is `RUNNING` for two polls, then `DONE` |
//! | `POST /api/echo` | the request's JSON body, query and headers back |
//! | `GET /api/slow?ms=` | answers after `ms` milliseconds (at most 5 s) |
//! | `GET /api/unstable` | always HTTP 500: fails on purpose |
//! | `GET /api/health` | `{"status":"UP"}` |

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const USERS: &[(i64, &str, &str, &str, &str)] = &[
    (1, "alice", "alice123", "Alice", "admin"),
    (2, "bob", "bob123", "Bob", "customer"),
    (3, "carol", "carol123", "Carol", "customer"),
    (4, "dave", "dave123", "Dave", "customer"),
    (5, "erin", "erin123", "Erin", "customer"),
    (6, "frank", "frank123", "Frank", "customer"),
    (7, "grace", "grace123", "Grace", "customer"),
    (8, "heidi", "heidi123", "Heidi", "customer"),
    (9, "ivan", "ivan123", "Ivan", "customer"),
    (10, "judy", "judy123", "Judy", "customer"),
    (11, "mallory", "mallory123", "Mallory", "customer"),
    (12, "zhang", "zhang123", "张三", "customer"),
];

const PRODUCTS: &[(&str, &str, f64)] = &[
    ("SKU-APPLE", "Apple", 3.5),
    ("SKU-PEN", "Pen", 12.0),
    ("SKU-BOOK", "Book", 45.8),
];

#[derive(Default)]
struct ShopState {
    /// token → user id
    sessions: HashMap<String, i64>,
    orders: Vec<(i64, Value)>,
    jobs: HashMap<String, u32>,
    next: u64,
}

#[derive(Clone, Default)]
struct Shop(Arc<Mutex<ShopState>>);

impl Shop {
    fn with<T>(&self, f: impl FnOnce(&mut ShopState) -> T) -> T {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// A running shop; the server stops when this is dropped.
pub struct ShopServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl ShopServer {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for ShopServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the shop on 127.0.0.1:`port` (0: any free port).
pub async fn start(port: u16) -> std::io::Result<ShopServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = router();
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("demo shop stopped: {e}");
        }
    });
    Ok(ShopServer { addr, task })
}

pub fn router() -> Router {
    Router::new()
        .route(
            "/api/health",
            get(|| async { Json(json!({"status": "UP"})) }),
        )
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/users/me", get(me))
        .route("/api/users", get(users))
        .route("/api/users/{id}", get(user))
        .route("/api/products", get(products))
        .route("/api/orders", post(create_order).get(list_orders))
        .route("/api/orders/{no}", get(order))
        .route("/api/jobs", post(create_job))
        .route("/api/jobs/{id}", get(job))
        .route("/api/echo", post(echo).get(echo))
        .route("/api/slow", get(slow))
        .route("/api/unstable", get(unstable).post(unstable))
        .with_state(Shop::default())
}

/// The request body as JSON (`null` when it is empty or not JSON).
fn parse_body(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn ok(data: Value) -> Response {
    reply(
        StatusCode::OK,
        json!({"code": 0, "message": "success", "data": data}),
    )
}

fn problem(status: StatusCode, message: &str) -> Response {
    reply(
        status,
        json!({"code": status.as_u16(), "message": message, "data": null}),
    )
}

fn user_json(u: &(i64, &str, &str, &str, &str)) -> Value {
    json!({"id": u.0, "username": u.1, "name": u.3, "role": u.4})
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == "SESSION")
            .map(|(_, v)| v.to_string())
    })
}

fn current_user(shop: &Shop, headers: &HeaderMap) -> Option<i64> {
    let token = token_of(headers)?;
    shop.with(|s| s.sessions.get(&token).copied())
}

async fn login(State(shop): State<Shop>, body: axum::body::Bytes) -> Response {
    let body = parse_body(&body);
    let name = body.get("username").and_then(Value::as_str).unwrap_or("");
    let pass = body.get("password").and_then(Value::as_str).unwrap_or("");
    let Some(u) = USERS.iter().find(|u| u.1 == name && u.2 == pass) else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "用户名或密码错误 (wrong username or password)",
        );
    };
    let token = shop.with(|s| {
        s.next += 1;
        let t = format!("tk-{:06}-{}", s.next, u.1);
        s.sessions.insert(t.clone(), u.0);
        t
    });
    let mut resp = ok(json!({"token": token, "userId": u.0, "name": u.3}));
    if let Ok(v) = header::HeaderValue::from_str(&format!("SESSION={token}; Path=/; HttpOnly")) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn logout(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    if let Some(t) = token_of(&headers) {
        shop.with(|s| s.sessions.remove(&t));
    }
    ok(Value::Null)
}

async fn me(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    match current_user(&shop, &headers).and_then(|id| USERS.iter().find(|u| u.0 == id)) {
        Some(u) => ok(user_json(u)),
        None => problem(StatusCode::UNAUTHORIZED, "请先登录 (login first)"),
    }
}

async fn users(Query(q): Query<HashMap<String, String>>) -> Response {
    let num = |k: &str, d: usize| {
        q.get(k)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(d)
    };
    let (page, size) = (num("page", 1), num("size", 5).min(50));
    let list: Vec<Value> = USERS
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(user_json)
        .collect();
    ok(json!({"page": page, "size": size, "total": USERS.len(), "list": list}))
}

async fn user(Path(id): Path<String>) -> Response {
    match id
        .parse::<i64>()
        .ok()
        .and_then(|id| USERS.iter().find(|u| u.0 == id))
    {
        Some(u) => ok(user_json(u)),
        None => problem(StatusCode::NOT_FOUND, "用户不存在 (no such user)"),
    }
}

async fn products() -> Response {
    let list: Vec<Value> = PRODUCTS
        .iter()
        .map(|p| json!({"sku": p.0, "name": p.1, "price": p.2}))
        .collect();
    ok(json!({"count": list.len(), "list": list}))
}

async fn create_order(
    State(shop): State<Shop>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(uid) = current_user(&shop, &headers) else {
        return problem(StatusCode::UNAUTHORIZED, "请先登录 (login first)");
    };
    let body = parse_body(&body);
    let sku = body.get("sku").and_then(Value::as_str).unwrap_or("");
    let qty = match body.get("quantity") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse::<i64>().unwrap_or(0),
        _ => 0,
    };
    let Some(p) = PRODUCTS.iter().find(|p| p.0 == sku) else {
        return problem(StatusCode::BAD_REQUEST, "商品不存在 (unknown sku)");
    };
    if !(1..=1000).contains(&qty) {
        return problem(
            StatusCode::BAD_REQUEST,
            "数量无效 (quantity must be 1..1000)",
        );
    }
    let order = shop.with(|s| {
        s.next += 1;
        let order = json!({
            "orderNo": format!("SO{}", 1000 + s.next),
            "sku": sku,
            "quantity": qty,
            "price": p.2,
            "total": (p.2 * qty as f64 * 100.0).round() / 100.0,
            "status": "CREATED",
        });
        s.orders.push((uid, order.clone()));
        order
    });
    reply(
        StatusCode::CREATED,
        json!({"code": 0, "message": "success", "data": order}),
    )
}

async fn list_orders(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let Some(uid) = current_user(&shop, &headers) else {
        return problem(StatusCode::UNAUTHORIZED, "请先登录 (login first)");
    };
    let list: Vec<Value> = shop.with(|s| {
        s.orders
            .iter()
            .filter(|(u, _)| *u == uid)
            .map(|(_, o)| o.clone())
            .collect()
    });
    ok(json!({"count": list.len(), "list": list}))
}

async fn order(State(shop): State<Shop>, headers: HeaderMap, Path(no): Path<String>) -> Response {
    let Some(uid) = current_user(&shop, &headers) else {
        return problem(StatusCode::UNAUTHORIZED, "请先登录 (login first)");
    };
    let found = shop.with(|s| {
        s.orders
            .iter()
            .find(|(u, o)| *u == uid && o["orderNo"] == no.as_str())
            .map(|(_, o)| o.clone())
    });
    match found {
        Some(o) => ok(o),
        None => problem(StatusCode::NOT_FOUND, "订单不存在 (no such order)"),
    }
}

async fn create_job(State(shop): State<Shop>) -> Response {
    let id = shop.with(|s| {
        s.next += 1;
        let id = format!("job-{}", s.next);
        s.jobs.insert(id.clone(), 0);
        id
    });
    ok(json!({"jobId": id, "status": "PENDING"}))
}

async fn job(State(shop): State<Shop>, Path(id): Path<String>) -> Response {
    let polls = shop.with(|s| {
        s.jobs.get_mut(&id).map(|n| {
            *n += 1;
            *n
        })
    });
    match polls {
        Some(n) => ok(json!({
            "jobId": id,
            "polls": n,
            "status": if n >= 3 { "DONE" } else { "RUNNING" },
        })),
        None => problem(StatusCode::NOT_FOUND, "任务不存在 (no such job)"),
    }
}

async fn echo(
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Response {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    ok(json!({
        "json": parse_body(&body),
        "query": q,
        "headers": headers,
    }))
}

async fn slow(Query(q): Query<HashMap<String, String>>) -> Response {
    let ms = q
        .get("ms")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(500)
        .min(5000);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    ok(json!({"slept": ms}))
}

async fn unstable() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务暂时不可用 (this endpoint fails on purpose)",
    )
}
