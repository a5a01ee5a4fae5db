"""A language model stand-in for the chat benchmark: OpenAI's /v1/chat/completions on 127.0.0.1
with one fixed reply, streamed as Server-Sent Events (one event a word, then [DONE]) or returned
whole, with no delay of its own. What it costs is the "LLM's own time" the benchmark subtracts.

Standard library only. Run in-process by run.py (FakeLanguageModel(port).start()).
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = ("Employees may work from abroad for up to 20 working days in any rolling 12-month period [1]. "
         "They must tell their manager at least 10 business days before [2].")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Buffered writes: headers and body leave in one segment. Unbuffered, a kept-alive connection
    # waits for the client's delayed ACK (Nagle) before the body: 40 ms a reply, which is this
    # stand-in's artefact, not the model's time.
    wbufsize = 1 << 16

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if request.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = REPLY.split(" ")
            for index, word in enumerate(words):
                piece = word if index == 0 else " " + word
                chunk = {"object": "chat.completion.chunk", "model": "fixed-reply",
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
            end = {"object": "chat.completion.chunk", "model": "fixed-reply",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(b"data: " + json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True
        else:
            body = json.dumps({"object": "chat.completion", "model": "fixed-reply",
                               "choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY},
                                            "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


class FakeLanguageModel:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
