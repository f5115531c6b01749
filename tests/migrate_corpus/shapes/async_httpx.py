import asyncio
import json

import browser_cookie3
import httpx


async def ask(prompt):
    cookies = {c.name: c.value for c in browser_cookie3.chrome(domain_name=".grok.com")}
    async with httpx.AsyncClient(cookies=cookies, timeout=60) as http:
        r = await http.post("https://grok.com/rest/app-chat/conversations/new",
                            json={"message": prompt, "modelName": "grok-3"})
        r.raise_for_status()
        answer = ""
        for line in r.text.splitlines():
            token = json.loads(line).get("result", {}).get("response", {}).get("token")
            if token:
                answer += token
        return answer


print(asyncio.run(ask("Say hello.")))
