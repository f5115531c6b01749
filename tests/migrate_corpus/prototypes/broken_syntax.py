import browser_cookie3
# import pycookiecheat  (tried this first)

def main(:
    jar = browser_cookie3.firefox()
    print(jar)
