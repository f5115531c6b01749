#!/bin/sh
# export COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks
# cookie-session chat --unsafe-browser-cookies --auth browser "hi"
set -eu
export COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=1
curl -s https://api.x.ai/v1/models -H "Authorization: Bearer $XAI_API_KEY"
curl -s https://api.x.ai/v1/models -H "Authorization: Bearer ${XAI_API_KEY}"
cookie-session chat --auth api-key "hello"   # not --auth browser
echo "ssome=1 set"
echo "XAI_API_KEY is set"
curl -s https://example.com/rest/v1/items
