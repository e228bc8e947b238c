"""A do-nothing HTTP/1.1 server used to measure the load generator's own ceiling.

It reads each request (honouring Content-Length so request bodies are consumed) and answers
`200 {}` immediately. Whatever rate the generator reaches against it is a lower bound on what the
generator can drive (this server is single-threaded Python, so it may itself be the limit).
Usage: python3 trivial_server.py PORT
"""

import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class Proto(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.head = bytearray()
        self.body_left = 0

    def data_received(self, data):
        i = 0
        n = len(data)
        while i < n:
            if self.body_left:
                take = min(self.body_left, n - i)
                self.body_left -= take
                i += take
                if self.body_left == 0:
                    self.t.write(RESPONSE)
                continue
            self.head += data[i:]
            i = n
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.head[:end]).lower()
            rest = bytes(self.head[end + 4 :])
            self.head = bytearray()
            length = 0
            p = head.find(b"content-length:")
            if p >= 0:
                length = int(head[p + 15 :].split(b"\r\n", 1)[0])
            if length == 0:
                self.t.write(RESPONSE)
            self.body_left = length
            data, i, n = rest, 0, len(rest)


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Proto, "127.0.0.1", port, backlog=256)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
