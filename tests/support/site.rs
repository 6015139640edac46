//! A small local web site for WEB case tests, served on 127.0.0.1: forms, delayed elements,
//! alerts, frames, windows, pointer and keyboard targets (with positions), scrolling, a file
//! input, cookies.
//! Requests it receives are recorded (path, query, Cookie header) for assertions.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct SiteRequest {
    pub path: String,
    pub query: String,
    pub cookie: String,
}

#[derive(Clone, Default)]
struct St {
    requests: Arc<Mutex<Vec<SiteRequest>>>,
}

pub struct Site {
    pub base: String,
    requests: Arc<Mutex<Vec<SiteRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const STYLE: &str = "<style>body{margin:8px;font:16px sans-serif} .box{width:100px;height:40px;margin:4px;background:#cde} #drop{width:120px;height:60px;background:#edc}</style>";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{STYLE}</head><body>{body}</body></html>"
    ))
}

async fn handle(
    State(st): State<St>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Html<String> {
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    st.requests.lock().expect("lock").push(SiteRequest {
        path: format!("/{name}"),
        query: q.clone().unwrap_or_default(),
        cookie: cookie.clone(),
    });
    match name.as_str() {
        "form" => page(
            "Form page",
            "<form id='f' action='/submitted' method='get' onsubmit=\"document.getElementById('log').textContent+='onsubmit;'\">\
             <input id='name' name='name' value='old'>\
             <input id='agree' name='agree' type='checkbox'>\
             <input id='off' disabled>\
             <select id='sel' name='sel'><option value='a'>A</option><option value='b' selected>B</option></select>\
             <button id='go' type='button' onclick=\"document.getElementById('log').textContent+='clicked;'\">Go</button>\
             </form>\
             <a id='rel' href='/other?x=1' class='lnk big'>Other page</a>\
             <div id='box' class='box' style='color: rgb(255, 0, 0)'>Box text</div>\
             <div id='hidden' style='display:none'>hid</div>\
             <div id='log'></div>",
        ),
        "submitted" => page(
            "Submitted",
            &format!("<div id='q'>{}</div>", q.unwrap_or_default()),
        ),
        "other" => page(
            "Other",
            "<div id='other'>other page</div><a id='back' href='/form'>back</a>",
        ),
        "delayed" => page(
            "Delayed",
            "<div id='gone'>going</div><script>\
             setTimeout(function(){var d=document.createElement('div');d.id='late';d.textContent='late';document.body.appendChild(d)},700);\
             setTimeout(function(){var g=document.getElementById('gone');g.parentNode.removeChild(g)},700);</script>",
        ),
        "alerts" => page(
            "Alerts",
            "<button id='a' onclick=\"alert('hi');document.getElementById('r').textContent+='alerted;'\">a</button>\
             <button id='c' onclick=\"document.getElementById('r').textContent+=(confirm('ok?')?'yes;':'no;')\">c</button>\
             <button id='p' onclick=\"document.getElementById('r').textContent+='p='+prompt('name?')+';'\">p</button>\
             <div id='r'></div>",
        ),
        "frames" => page(
            "Frames",
            "<div id='top'>top</div><iframe id='f1' name='f1' src='/inner'></iframe>",
        ),
        "inner" => page(
            "Inner",
            "<div id='in'>inner text</div><iframe id='f2' src='/innermost'></iframe>",
        ),
        "innermost" => page("Innermost", "<div id='deep'>deep text</div>"),
        "windows" => page(
            "Windows",
            "<a id='open' href='/popup' target='_blank'>open</a>\
             <button id='named' onclick=\"window.open('/popup','helper')\">named</button>",
        ),
        "popup" => page("Popup", "<div id='pop'>popup</div>"),
        "mouse" => page(
            "Mouse",
            "<div id='hover' class='box' onmouseover=\"log('over')\">hover</div>\
             <div id='dbl' class='box' ondblclick=\"log('dbl')\" oncontextmenu=\"log('ctx');return false\">dbl</div>\
             <div id='press' class='box' onmousedown=\"log('down')\" onmouseup=\"log('up')\">press</div>\
             <div id='drag' class='box' draggable='true' ondragstart=\"event.dataTransfer.setData('text','x');log('dragstart')\">drag</div>\
             <div id='drop' ondragover='event.preventDefault()' ondrop=\"event.preventDefault();log('drop')\">drop</div>\
             <div id='area' style='width:300px;height:100px;background:#eee' onmousemove=\"document.getElementById('pos').textContent=event.offsetX+','+event.offsetY\"></div>\
             <input id='keys' onkeydown=\"log('kd:'+event.key)\" onkeyup=\"log('ku:'+event.key)\">\
             <div id='pos'></div><div id='log'></div>\
             <script>function log(t){document.getElementById('log').textContent+=t+';'}\
             document.addEventListener('click',function(e){log('click@'+e.clientX)});</script>",
        ),
        // Pointer effects by position: a press records where it started, a release how far the
        // pointer moved since, a click where it happened (client coordinates); `#later` appears
        // after 1.5 s (sleeps and implicit waits are observed through it).
        "pad" => page(
            "Pad",
            "<div id='pad' style='width:200px;height:100px;background:#eee'>pad</div><div id='log'></div>\
             <script>var sx=0,sy=0;function log(t){document.getElementById('log').textContent+=t+';'}\
             document.addEventListener('mousedown',function(e){sx=e.clientX;sy=e.clientY});\
             document.addEventListener('mouseup',function(e){log('up:'+(e.clientX-sx)+','+(e.clientY-sy))});\
             document.addEventListener('click',function(e){log('click@'+e.clientX+','+e.clientY)});\
             setTimeout(function(){var d=document.createElement('div');d.id='later';d.textContent='later';document.body.appendChild(d)},1500);</script>",
        ),
        "scroll" => page(
            "Scroll",
            "<div style='height:3000px'>tall</div><div id='bottom'>bottom</div>",
        ),
        "file" => page(
            "File",
            "<input id='up' type='file' onchange=\"document.getElementById('fn').textContent=this.files[0].name\"><div id='fn'></div>",
        ),
        _ => page("Not found", "<div id='nf'>no such page</div>"),
    }
}

impl Site {
    pub async fn start() -> Site {
        let st = St::default();
        let app = Router::new()
            .route("/{name}", get(handle))
            .with_state(st.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the test site");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Site {
            base: format!("http://{addr}"),
            requests: st.requests,
            task,
        }
    }

    pub fn requests(&self) -> Vec<SiteRequest> {
        self.requests.lock().expect("lock").clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<SiteRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}
