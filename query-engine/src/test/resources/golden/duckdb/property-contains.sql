select "t0"."user_id" from "shop"."users" "t0" where contains(lower("t0"."email"), lower(cast(? as varchar)))
