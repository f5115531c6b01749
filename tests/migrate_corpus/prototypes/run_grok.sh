#!/bin/sh
# Ask Grok from the shell with my browser session.
# curl -H 'Cookie: sso=OLD' https://grok.com/rest/app-chat/conversations/new   (old way, commented out)
set -eu

curl -s https://grok.com/rest/app-chat/conversations/new \
  -H 'Cookie: sso=corpus-session-value; sso-rw=corpus-session-value' \
  -d '{"message": "hi"}'

curl -s -b "cf_clearance=corpus-clearance" https://grok.com/

export COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks
cookie-session chat --auth browser --unsafe-browser-cookies "hello"

curl -s https://api.x.ai/v1/models -H "Authorization: Bearer {{XAI_KEY}}"
curl -s https://api.x.ai/v1/models -H "Authorization: Bearer $XAI_API_KEY"
echo "key: $XAI_API_KEY"
