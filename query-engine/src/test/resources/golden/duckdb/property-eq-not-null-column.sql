select "t0"."user_id" from "shop"."users" "t0" where "t0"."email" = cast(? as varchar)
