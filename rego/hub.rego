# The registry entry of the repo being judged. The engine stores every
# resolved entry under data.hubgate.repos; rules read data.hub.repo, and unit
# tests replace it with `with data.hub.repo as {...}`.
package hub

repo := data.hubgate.repos[input.repo]
